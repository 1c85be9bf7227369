import type { NextRequest } from "next/server";
import { projectResource } from "@/api/resources";
import { apiAuditSource } from "@/audit/audit-source";
import { authorizeApi } from "@/auth/authorize";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problem, problemResponse } from "@/http/problem";
import { parseJsonBody } from "@/http/request-input";
import { ProjectPatch } from "@/projects/project-input";
import { deleteProject, getProject, updateProject } from "@/projects/projects";

type Context = { params: Promise<{ id: string }> };

// Missing and another tenant's are the same answer: ids of other tenants are never confirmed.
const notFound = () => problemResponse(problem("not-found", "No such project."));

export async function GET(_req: NextRequest, { params }: Context) {
  const access = await authorizeApi("projects:read");
  if (!access.ok) return problemResponse(access.problem);
  const project = await getProject(database().db, access.principal.tenantId, (await params).id);
  return project ? jsonResponse(projectResource(project)) : notFound();
}

export async function PATCH(req: NextRequest, { params }: Context) {
  const access = await authorizeApi("projects:write");
  if (!access.ok) return problemResponse(access.problem);
  const body = await parseJsonBody(req, ProjectPatch);
  if (!body.ok) return problemResponse(body.problem);
  const project = await updateProject(
    database().db,
    access.principal.tenantId,
    (await params).id,
    body.value,
    await apiAuditSource(access.principal),
  );
  return project ? jsonResponse(projectResource(project)) : notFound();
}

export async function DELETE(_req: NextRequest, { params }: Context) {
  const access = await authorizeApi("projects:write");
  if (!access.ok) return problemResponse(access.problem);
  const deleted = await deleteProject(
    database().db,
    access.principal.tenantId,
    (await params).id,
    await apiAuditSource(access.principal),
  );
  return deleted ? new Response(null, { status: 204 }) : notFound();
}
