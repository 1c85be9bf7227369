"use server";

import { auth } from "@clerk/nextjs/server";
import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { userAuditSource } from "@/audit/audit-source";
import {
  decideProjectCount,
  type ReverificationRequired,
  requireReverification,
} from "@/auth/authorize";
import { database } from "@/db/client";
import { organizationVersion } from "@/organizations/org-version";
import { ProjectInput } from "@/projects/project-input";
import { createProject, deleteProject, getProject, updateProject } from "@/projects/projects";
import { requireActiveOrg } from "./org-access";

export type ProjectFormState = {
  status: "idle" | "created" | "saved" | "error";
  message?: string;
  fieldErrors?: Partial<Record<"name" | "description", string>>;
  values?: { name: string; description: string };
  // The plans that would allow it, when the organization's plan refused it.
  upgradeTo?: string[];
};

const MANAGE_DENIED = "Only admins can change projects.";
const GONE = "That project no longer exists.";

// A server action's caller may post anything in the form's place: that is an empty form.
function formValues(form: FormData) {
  if (!(form instanceof FormData)) return { name: "", description: "" };
  return {
    name: String(form.get("name") ?? ""),
    description: String(form.get("description") ?? ""),
  };
}

function fieldErrorsOf(error: z.ZodError): ProjectFormState["fieldErrors"] {
  const fieldErrors: ProjectFormState["fieldErrors"] = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if ((field === "name" || field === "description") && !fieldErrors[field]) {
      fieldErrors[field] = issue.message;
    }
  }
  return fieldErrors;
}

export async function createProjectAction(
  slug: string,
  _prev: ProjectFormState,
  form: FormData,
): Promise<ProjectFormState> {
  const { userId, orgId, canManageProjects, billing } = await requireActiveOrg(slug);
  const values = formValues(form);
  if (!canManageProjects) return { status: "error", message: MANAGE_DENIED, values };
  const parsed = ProjectInput.safeParse(values);
  // The user's input goes back to the form: nothing typed is lost on a validation error.
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf(parsed.error), values };
  const created = await createProject(
    database().db,
    orgId,
    userId,
    parsed.data,
    await userAuditSource(userId),
    (existing) => decideProjectCount(billing, existing),
  );
  if (!created.ok) {
    const { plans } = created.problem;
    return {
      status: "error",
      message: created.problem.detail,
      values,
      upgradeTo: Array.isArray(plans) ? plans.map(String) : [],
    };
  }
  revalidatePath(`/orgs/${slug}`);
  return { status: "created", message: `Created “${parsed.data.name}”.` };
}

// Deleting is sensitive: a session that last verified the user more than 10 minutes ago gets
// Clerk's reverification error instead (src/auth/authorize.ts).
export async function deleteProjectAction(
  slug: string,
  projectId: string,
): Promise<{ ok: boolean; message: string } | ReverificationRequired> {
  const { userId, orgId, canManageProjects } = await requireActiveOrg(slug);
  if (!canManageProjects) return { ok: false, message: MANAGE_DENIED };
  if (typeof projectId !== "string") return { ok: false, message: GONE };
  const stale = await requireReverification("project.delete");
  if (stale) return stale;
  const deleted = await deleteProject(
    database().db,
    orgId,
    projectId,
    await userAuditSource(userId),
  );
  revalidatePath(`/orgs/${slug}`);
  return deleted ? { ok: true, message: "Project deleted." } : { ok: false, message: GONE };
}

// The project page's edit form: the same input rules as the API's PATCH (ProjectInput), the same
// permission (projects:write's), and the same audit record (project.updated, by this user).
export async function updateProjectAction(
  slug: string,
  projectId: string,
  _prev: ProjectFormState,
  form: FormData,
): Promise<ProjectFormState> {
  const { userId, orgId, canManageProjects } = await requireActiveOrg(slug);
  const values = formValues(form);
  if (!canManageProjects) return { status: "error", message: MANAGE_DENIED, values };
  const parsed = ProjectInput.safeParse(values);
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf(parsed.error), values };
  const { db } = database();
  const current = typeof projectId === "string" ? await getProject(db, orgId, projectId) : null;
  if (!current) return { status: "error", message: GONE, values };
  // Only what changed is sent, so the audit row says what the edit did.
  const description = parsed.data.description ?? null;
  const patch = {
    ...(parsed.data.name !== current.name && { name: parsed.data.name }),
    ...(description !== current.description && { description }),
  };
  if (Object.keys(patch).length === 0) {
    return { status: "saved", message: "Nothing changed.", values };
  }
  const updated = await updateProject(db, orgId, projectId, patch, await userAuditSource(userId));
  if (!updated) return { status: "error", message: GONE, values };
  revalidatePath(`/orgs/${slug}`);
  revalidatePath(`/orgs/${slug}/projects/${projectId}`);
  return {
    status: "saved",
    message: "Saved.",
    values: { name: updated.name, description: updated.description ?? "" },
  };
}

// What the open pages of an organization poll to notice changes made elsewhere (see
// live-refresh.tsx): null when the organization is no longer the active one.
export async function organizationVersionAction(slug: string): Promise<string | null> {
  const { orgId, orgSlug } = await auth();
  if (!orgId || orgSlug !== slug) return null;
  return organizationVersion(database().db, orgId);
}
