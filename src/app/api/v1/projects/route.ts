import type { NextRequest } from "next/server";
import { ProjectListQuery, projectCursor } from "@/api/list-params";
import { projectResource } from "@/api/resources";
import { apiAuditSource } from "@/audit/audit-source";
import { authorizeApi } from "@/auth/authorize";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problemResponse } from "@/http/problem";
import { parseJsonBody, parseQuery } from "@/http/request-input";
import { ProjectInput } from "@/projects/project-input";
import { createProject, listProjects } from "@/projects/projects";

export async function GET(req: NextRequest) {
  const access = await authorizeApi("projects:read");
  if (!access.ok) return problemResponse(access.problem);
  const query = parseQuery(req.nextUrl.searchParams, ProjectListQuery);
  if (!query.ok) return problemResponse(query.problem);
  const page = await listProjects(database().db, access.principal.tenantId, {
    limit: query.value.limit,
    after: query.value.cursor,
  });
  return jsonResponse({
    data: page.projects.map(projectResource),
    next_cursor: page.next && projectCursor(page.next),
  });
}

export async function POST(req: NextRequest) {
  const access = await authorizeApi("projects:write");
  if (!access.ok) return problemResponse(access.problem);
  const body = await parseJsonBody(req, ProjectInput);
  if (!body.ok) return problemResponse(body.problem);
  const p = access.principal;
  // An organization's key acts for no user: the project records which key created it.
  const createdBy = p.tokenType === "api_key" ? (p.userId ?? p.keyId) : p.userId;
  const project = await createProject(
    database().db,
    p.tenantId,
    createdBy,
    body.value,
    await apiAuditSource(p),
  );
  return jsonResponse(projectResource(project), {
    status: 201,
    headers: { location: `/api/v1/projects/${project.id}` },
  });
}
