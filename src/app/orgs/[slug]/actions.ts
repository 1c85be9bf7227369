"use server";

import { revalidatePath } from "next/cache";
import { userAuditSource } from "@/audit/audit-source";
import { type ReverificationRequired, requireReverification } from "@/auth/authorize";
import { database } from "@/db/client";
import { ProjectInput } from "@/projects/project-input";
import { createProject, deleteProject } from "@/projects/projects";
import { requireActiveOrg } from "./org-access";

export type ProjectFormState = {
  status: "idle" | "created" | "error";
  message?: string;
  fieldErrors?: Partial<Record<"name" | "description", string>>;
  values?: { name: string; description: string };
};

export async function createProjectAction(
  slug: string,
  _prev: ProjectFormState,
  form: FormData,
): Promise<ProjectFormState> {
  const { userId, orgId, canManageProjects } = await requireActiveOrg(slug);
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
  await createProject(database().db, orgId, userId, parsed.data, await userAuditSource(userId));
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
  if (!canManageProjects) return { ok: false, message: "You need permission to manage projects." };
  const stale = await requireReverification("project.delete");
  if (stale) return stale;
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
