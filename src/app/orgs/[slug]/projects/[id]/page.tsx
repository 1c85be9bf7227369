import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { database } from "@/db/client";
import { userDisplayNames } from "@/members/members";
import { getProject } from "@/projects/projects";
import { requireActiveOrg } from "../../org-access";
import { EditProjectForm } from "./edit-project-form";

type Params = Promise<{ slug: string; id: string }>;

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug, id } = await params;
  const { orgId } = await requireActiveOrg(slug);
  const project = await getProject(database().db, orgId, id);
  return { title: project?.name ?? "Project" };
}

// One project of the active organization: what it is, who made it, and (for those who may
// change projects) its edit form. Another organization's project is a 404, as in the API.
export default async function ProjectPage({ params }: { params: Params }) {
  const { slug, id } = await params;
  const { orgId, canManageProjects } = await requireActiveOrg(slug);
  const { db } = database();
  const project = await getProject(db, orgId, id);
  if (!project) notFound();
  const names = await userDisplayNames(db, [project.createdBy]);

  return (
    <div className="flex flex-col gap-6">
      <p className="text-sm">
        <Link prefetch={false} href={`/orgs/${slug}`} className="text-brand-700 underline">
          ← All projects
        </Link>
      </p>
      <div>
        <h1 className="text-2xl font-semibold break-words">{project.name}</h1>
        {project.description ? (
          <p className="mt-1 whitespace-pre-line text-slate-700">{project.description}</p>
        ) : (
          <p className="mt-1 text-slate-500">No description.</p>
        )}
        <p className="mt-2 text-xs text-slate-500">
          Created {when.format(project.createdAt)} by{" "}
          {project.createdBy.startsWith("ak_") ? "an API key" : names.get(project.createdBy)}
          {project.updatedAt.getTime() !== project.createdAt.getTime() &&
            ` · last changed ${when.format(project.updatedAt)}`}
        </p>
      </div>
      {canManageProjects ? (
        <EditProjectForm
          slug={slug}
          projectId={project.id}
          name={project.name}
          description={project.description ?? ""}
        />
      ) : (
        <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600">
          Only admins can edit projects.
        </p>
      )}
    </div>
  );
}
