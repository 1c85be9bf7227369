import { apiOperation, UNSERVED_METHODS } from "@/api/api-operation";
import { projectResource } from "@/api/resources";
import { apiAuditSource } from "@/audit/audit-source";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problem } from "@/http/problem";
import { parseJsonBody } from "@/http/request-input";
import { ProjectPatch } from "@/projects/project-input";
import { deleteProject, getProject, updateProject } from "@/projects/projects";

const ROUTE = "/api/v1/projects/{id}";

// Missing and another tenant's are the same answer: ids of other tenants are never confirmed.
const notFound = () => problem("not-found", "No such project.");

export const GET = apiOperation<{ id: string }>(
  ROUTE,
  "projects:read",
  async ({ params, principal }) => {
    const project = await getProject(database().db, principal.tenantId, params.id);
    return project ? jsonResponse(projectResource(project)) : notFound();
  },
);

export const PATCH = apiOperation<{ id: string }>(
  ROUTE,
  "projects:write",
  async ({ req, params, principal, context }) => {
    const body = await parseJsonBody(req, ProjectPatch);
    if (!body.ok) return body.problem;
    const project = await updateProject(
      database().db,
      principal.tenantId,
      params.id,
      body.value,
      apiAuditSource(principal, context),
    );
    return project ? jsonResponse(projectResource(project)) : notFound();
  },
);

// Deleting is sensitive: a session must have verified the user recently (authorize.ts).
export const DELETE = apiOperation<{ id: string }>(
  ROUTE,
  { scope: "projects:write", sensitive: "project.delete" },
  async ({ params, principal, context }) => {
    const deleted = await deleteProject(
      database().db,
      principal.tenantId,
      params.id,
      apiAuditSource(principal, context),
    );
    return deleted ? new Response(null, { status: 204 }) : notFound();
  },
);

export const { POST, PUT, OPTIONS } = UNSERVED_METHODS;
