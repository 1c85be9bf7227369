import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import {
  AuditEventListQuery,
  auditEventCursor,
  MemberListQuery,
  memberCursor,
  ProjectListQuery,
  projectCursor,
} from "@/api/list-params";
import { auditEventResource, memberResource, projectResource } from "@/api/resources";
import { listAuditEvents } from "@/audit/audit-log";
import { apiAuditSource } from "@/audit/audit-source";
import type { ApiScope } from "@/auth/api-scopes";
import { decideWithPlan, projectCountRule } from "@/auth/authorize";
import type { TenantPrincipal } from "@/auth/principal";
import { database } from "@/db/client";
import type { RequestContext } from "@/http/request-context";
import { listMembers } from "@/members/members";
import { ProjectInput, ProjectPatch } from "@/projects/project-input";
import {
  createProject,
  getProject,
  isProjectId,
  listProjects,
  updateProject,
} from "@/projects/projects";

// The app's MCP server (Streamable HTTP, stateless: one server per request, JSON answers): tools
// over the organization's projects and members for AI assistants the user connected with OAuth.
// Each tool asks the one authorization module (src/auth/authorize.ts) for the same scope the REST
// operation asks, and runs the same domain code, so a tool can do exactly what
// `Authorization: Bearer <the same token>` can do at /api/v1. Every tool is listed; a call beyond
// the token's scopes is a tool error that names the scope.

const SERVER_INFO = { name: "acme-projects", version: "1.0.0" };

const Cursor = z.string().max(200).optional().describe("next_cursor of the previous page");
const Limit = z.number().int().min(1).max(100).optional().describe("at most this many (20)");

const text = (value: unknown): CallToolResult => ({
  content: [{ type: "text", text: JSON.stringify(value, null, 2) }],
  structuredContent: value as Record<string, unknown>,
});

const failure = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text: message }],
});

function buildServer(principal: TenantPrincipal, context: RequestContext): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      "Projects and members of the organization the user chose when they connected this assistant.",
  });
  const db = database().db;

  // The tool runs only if the token may do what the REST operation with this scope may do.
  const scoped =
    <A>(scope: ApiScope, run: (args: A) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> => {
      const decision = await decideWithPlan(principal, scope);
      if (!decision.ok) {
        const { missing_scope, missing_permission, missing_feature } = decision.problem as {
          missing_scope?: string;
          missing_permission?: string;
          missing_feature?: string;
        };
        return failure(
          missing_scope
            ? `Missing scope ${missing_scope}: ${decision.problem.detail}`
            : `Not allowed (${missing_permission ?? missing_feature ?? scope}): ${decision.problem.detail}`,
        );
      }
      return run(args);
    };

  server.registerTool(
    "list_projects",
    {
      title: "List projects",
      description: "The organization's projects, newest first. Needs projects:read.",
      inputSchema: { limit: Limit, cursor: Cursor },
      annotations: { readOnlyHint: true },
    },
    scoped("projects:read", async ({ limit, cursor }) => {
      const query = ProjectListQuery.safeParse({ limit, cursor });
      if (!query.success) return failure("That cursor is not one this server gave.");
      const page = await listProjects(db, principal.tenantId, {
        limit: query.data.limit,
        after: query.data.cursor,
      });
      return text({
        data: page.projects.map(projectResource),
        next_cursor: page.next && projectCursor(page.next),
      });
    }),
  );

  server.registerTool(
    "get_project",
    {
      title: "Read a project",
      description: "One project of the organization by id. Needs projects:read.",
      inputSchema: { id: z.string().describe("the project's id") },
      annotations: { readOnlyHint: true },
    },
    scoped("projects:read", async ({ id }) => {
      const project = isProjectId(id) ? await getProject(db, principal.tenantId, id) : null;
      return project ? text(projectResource(project)) : failure(`No project ${id} here.`);
    }),
  );

  server.registerTool(
    "create_project",
    {
      title: "Create a project",
      description: "A new project in the organization. Needs projects:write.",
      inputSchema: ProjectInput.shape,
    },
    scoped("projects:write", async (args) => {
      const input = ProjectInput.safeParse(args);
      if (!input.success) return failure(input.error.issues.map((i) => i.message).join("; "));
      const limit = await projectCountRule(principal);
      if (!limit.ok) return failure(limit.problem.detail);
      const created = await createProject(
        db,
        principal.tenantId,
        principal.tokenType === "api_key"
          ? (principal.userId ?? principal.keyId)
          : principal.userId,
        input.data,
        apiAuditSource(principal, context),
        limit.rule,
      );
      if (!created.ok) return failure(created.problem.detail);
      return text(projectResource(created.project));
    }),
  );

  server.registerTool(
    "update_project",
    {
      title: "Update a project",
      description: "Change a project's name or description. Needs projects:write.",
      inputSchema: { id: z.string().describe("the project's id"), ...ProjectInput.partial().shape },
    },
    scoped("projects:write", async ({ id, ...changes }) => {
      const patch = ProjectPatch.safeParse(changes);
      if (!patch.success) return failure(patch.error.issues.map((i) => i.message).join("; "));
      const project = isProjectId(id)
        ? await updateProject(
            db,
            principal.tenantId,
            id,
            patch.data,
            apiAuditSource(principal, context),
          )
        : null;
      return project ? text(projectResource(project)) : failure(`No project ${id} here.`);
    }),
  );

  server.registerTool(
    "list_members",
    {
      title: "List members",
      description: "The organization's members and their roles. Needs members:read.",
      inputSchema: { limit: Limit, cursor: Cursor },
      annotations: { readOnlyHint: true },
    },
    scoped("members:read", async ({ limit, cursor }) => {
      const query = MemberListQuery.safeParse({ limit, cursor });
      if (!query.success) return failure("That cursor is not one this server gave.");
      const page = await listMembers(db, principal.tenantId, {
        limit: query.data.limit,
        after: query.data.cursor,
      });
      return text({
        data: page.members.map(memberResource),
        next_cursor: page.next && memberCursor(page.next),
      });
    }),
  );

  server.registerTool(
    "list_activity",
    {
      title: "List activity",
      description:
        "The organization's activity log, newest first. Needs audit:read, which assistants get only when they ask for it.",
      inputSchema: { limit: Limit, cursor: Cursor },
      annotations: { readOnlyHint: true },
    },
    scoped("audit:read", async ({ limit, cursor }) => {
      const query = AuditEventListQuery.safeParse({ limit, cursor });
      if (!query.success) return failure("That cursor is not one this server gave.");
      const page = await listAuditEvents(db, principal.tenantId, {
        limit: query.data.limit,
        after: query.data.cursor,
      });
      return text({
        data: page.events.map(auditEventResource),
        next_cursor: page.next && auditEventCursor(page.next),
      });
    }),
  );

  return server;
}

// One JSON-RPC exchange: no sessions (any instance answers any request), JSON rather than a stream.
export async function answerMcp(
  req: Request,
  principal: TenantPrincipal,
  context: RequestContext,
): Promise<Response> {
  const server = buildServer(principal, context);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req);
  } finally {
    await server.close();
  }
}
