"use server";

import { revalidatePath } from "next/cache";
import { userAuditSource } from "@/audit/audit-source";
import { decideProjectCount } from "@/auth/authorize";
import { database } from "@/db/client";
import { ProjectInput } from "@/projects/project-input";
import { createProject, deleteProject } from "@/projects/projects";
import { requireActiveOrg } from "./org-access";

export type ProjectFormState = {
  status: "idle" | "created" | "error";
  message?: string;
  fieldErrors?: Partial<Record<"name" | "description", string>>;
  values?: { name: string; description: string };
  // The plans that would allow it, when the organization's plan refused it.
  upgradeTo?: string[];
};

export async function createProjectAction(
  slug: string,
  _prev: ProjectFormState,
  form: FormData,
): Promise<ProjectFormState> {
  const { userId, orgId, canManageProjects, billing } = await requireActiveOrg(slug);
  const values = {
    name: String(form.get("name") ?? ""),
    description: String(form.get("description") ?? ""),
  };
  if (!canManageProjects) {
    return { status: "error", message: "You need permission to manage projects.", values };
  }
  const parsed = ProjectInput.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: ProjectFormState["fieldErrors"] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "description") && !fieldErrors[field]) {
        fieldErrors[field] = issue.message;
      }
    }
    // The user's input goes back to the form: nothing typed is lost on a validation error.
    return { status: "error", fieldErrors, values };
  }
  const created = await createProject(
    database().db,
    orgId,
    userId,
    parsed.data,
    await userAuditSource(userId),
    (existing) => decideProjectCount(billing, existing),
  );
  if (!created.ok) {
    const plans = created.problem.plans;
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

export async function deleteProjectAction(
  slug: string,
  projectId: string,
): Promise<{ ok: boolean; message: string }> {
  const { userId, orgId, canManageProjects } = await requireActiveOrg(slug);
  if (!canManageProjects) return { ok: false, message: "You need permission to manage projects." };
  const deleted = await deleteProject(
    database().db,
    orgId,
    projectId,
    await userAuditSource(userId),
  );
  revalidatePath(`/orgs/${slug}`);
  return deleted
    ? { ok: true, message: "Project deleted." }
    : { ok: false, message: "That project no longer exists." };
}
