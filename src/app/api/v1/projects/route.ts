import { apiOperation, UNSERVED_METHODS } from "@/api/api-operation";
import { ProjectListQuery, projectCursor } from "@/api/list-params";
import { projectResource } from "@/api/resources";
import { apiAuditSource } from "@/audit/audit-source";
import { projectCountRule } from "@/auth/authorize";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { parseJsonBody, parseQuery } from "@/http/request-input";
import { ProjectInput } from "@/projects/project-input";
import { createProject, listProjects } from "@/projects/projects";

export const GET = apiOperation("/api/v1/projects", "projects:read", async ({ req, principal }) => {
  const query = parseQuery(req.nextUrl.searchParams, ProjectListQuery);
  if (!query.ok) return query.problem;
  const page = await listProjects(database().db, principal.tenantId, {
    limit: query.value.limit,
    after: query.value.cursor,
  });
  return jsonResponse({
    data: page.projects.map(projectResource),
    next_cursor: page.next && projectCursor(page.next),
  });
});

export const POST = apiOperation(
  "/api/v1/projects",
  "projects:write",
  async ({ req, principal: p, context }) => {
    const body = await parseJsonBody(req, ProjectInput);
    if (!body.ok) return body.problem;
    const limit = await projectCountRule(p);
    if (!limit.ok) return limit.problem;
    // An organization's key acts for no user: the project records which key created it.
    const createdBy = p.tokenType === "api_key" ? (p.userId ?? p.keyId) : p.userId;
    const created = await createProject(
      database().db,
      p.tenantId,
      createdBy,
      body.value,
      apiAuditSource(p, context),
      limit.rule,
    );
    if (!created.ok) return created.problem;
    const { project } = created;
    return jsonResponse(projectResource(project), {
      status: 201,
      headers: { location: `/api/v1/projects/${project.id}` },
    });
  },
);

export const { PUT, PATCH, DELETE, OPTIONS } = UNSERVED_METHODS;
