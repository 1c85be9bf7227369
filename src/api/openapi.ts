import { z } from "zod";
import { AuditEventListQuery, MemberListQuery, ProjectListQuery } from "@/api/list-params";
import {
  AuditEventPageResource,
  MemberPageResource,
  MeResource,
  ProblemResource,
  ProjectPageResource,
  ProjectResource,
  ReconcileResource,
  ValidationProblemResource,
} from "@/api/resources";
import type { ApiScope } from "@/auth/api-scopes";
import { SESSION_PERMISSIONS } from "@/auth/authorize";
import { MAX_BODY_BYTES } from "@/http/request-input";
import { ProjectInput, ProjectPatch } from "@/projects/project-input";
import { CUSTOM_OAUTH_SCOPES, ORGANIZATION_SCOPE } from "../../clerk/oauth-scopes";

// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the handlers validate and
// answer with (zod's own z.toJSONSchema; OpenAPI 3.1 schemas are JSON Schema 2020-12).

export type JsonSchema = Record<string, unknown>;

type ErrorStatus = 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export type HttpMethod = "get" | "post" | "patch" | "delete";

export type OpenApiParameter = {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string | undefined;
  schema: JsonSchema;
};

export type OpenApiOperation = {
  operationId: string;
  // Where an operation outside the document's server lives (the machine routes, under /api/internal).
  servers?: { url: string }[];
  summary: string;
  description: string;
  security: Record<string, string[]>[];
  parameters: OpenApiParameter[];
  requestBody?: {
    required: true;
    content: Record<string, { schema: JsonSchema; example: unknown }>;
  };
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, { description: string; schema: JsonSchema }>;
      content?: Record<string, { schema: JsonSchema }>;
    }
  >;
};

type ApiOperation = {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  // What the caller needs: an API scope (null: any valid credential of a person or key), or, for
  // the machine routes, to be a machine with a scope to this app's.
  scope: ApiScope | null | "machine";
  // A base other than the document's server (/api/v1).
  server?: string;
  query?: z.ZodObject;
  pathId?: true;
  body?: { schema: string; example: unknown };
  success: { status: 200 | 201 | 204; description: string; schema?: string };
  errors: ErrorStatus[];
};

const WRITE_ERRORS: ErrorStatus[] = [401, 403, 413, 415, 422];

const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: "get",
    path: "/me",
    operationId: "getMe",
    summary: "Who is calling",
    description:
      "The credential's type, its user and organization, and its scopes (API key, OAuth access token) or permissions (session). Any valid credential may call it, a key without scopes included.",
    scope: null,
    success: { status: 200, description: "The caller.", schema: "Me" },
    errors: [401, 403],
  },
  {
    method: "get",
    path: "/projects",
    operationId: "listProjects",
    summary: "List projects",
    description:
      "The workspace's projects, newest first (ties broken by id). Follow `next_cursor` for the next page.",
    scope: "projects:read",
    query: ProjectListQuery,
    success: { status: 200, description: "One page of projects.", schema: "ProjectPage" },
    errors: [401, 403, 422],
  },
  {
    method: "post",
    path: "/projects",
    operationId: "createProject",
    summary: "Create a project",
    description:
      "Creates a project in the caller's workspace. Unknown fields are rejected. An organization's plan limits its number of projects: past it, 403 with `plan_limit: \"projects\"`, the `limit` and the `plans` with room for more.",
    scope: "projects:write",
    body: { schema: "ProjectInput", example: { name: "Website relaunch", description: "Q3" } },
    success: { status: 201, description: "The new project.", schema: "Project" },
    errors: WRITE_ERRORS,
  },
  {
    method: "get",
    path: "/projects/{id}",
    operationId: "getProject",
    summary: "Get a project",
    description: "One project of the caller's workspace.",
    scope: "projects:read",
    pathId: true,
    success: { status: 200, description: "The project.", schema: "Project" },
    errors: [401, 403, 404],
  },
  {
    method: "patch",
    path: "/projects/{id}",
    operationId: "updateProject",
    summary: "Update a project",
    description:
      "Changes the fields sent; the others stay. An empty or null description clears it.",
    scope: "projects:write",
    pathId: true,
    body: { schema: "ProjectPatch", example: { name: "Website relaunch 2" } },
    success: { status: 200, description: "The updated project.", schema: "Project" },
    errors: [...WRITE_ERRORS, 404],
  },
  {
    method: "delete",
    path: "/projects/{id}",
    operationId: "deleteProject",
    summary: "Delete a project",
    description: "Deletes one project of the caller's workspace.",
    scope: "projects:write",
    pathId: true,
    success: { status: 204, description: "Deleted." },
    errors: [401, 403, 404],
  },
  {
    method: "get",
    path: "/members",
    operationId: "listMembers",
    summary: "List members",
    description:
      "The organization's members as synced from Clerk by webhooks, by membership id. A personal workspace has none. Sessions: every member of the active organization may read them.",
    scope: "members:read",
    query: MemberListQuery,
    success: { status: 200, description: "One page of members.", schema: "MemberPage" },
    errors: [401, 403, 422],
  },
  {
    method: "get",
    path: "/audit-events",
    operationId: "listAuditEvents",
    summary: "List audit events",
    description:
      "Who changed what in the workspace, newest first: projects created, updated and deleted; API keys created and revoked in settings; members added, their roles changed and removed, and invitations sent, accepted and revoked (as Clerk's webhooks report them); its plan starting, scheduled, canceled and ending, and its payments (Clerk Billing). Filter with `kind`; follow `next_cursor` for the next page. An organization's plan must include the audit log: otherwise 403 with `missing_feature: \"audit_log\"` and the `plans` that include it.",
    scope: "audit:read",
    query: AuditEventListQuery,
    success: { status: 200, description: "One page of audit events.", schema: "AuditEventPage" },
    errors: [401, 403, 422],
  },
  {
    method: "post",
    path: "/reconcile",
    server: "/api/internal",
    operationId: "reconcile",
    summary: "Reconcile with Clerk (machines only)",
    description:
      "Converges the database with Clerk's users, organizations and memberships, as `npm run clerk:sync` does: creates and updates what Clerk has, tombstones what it no longer has (a member removed this way is recorded in the organization's audit log with the machine as actor). Idempotent; one run at a time (409 while another runs); stopped after 60 s (503: what it wrote stays, run it again). `npm run job:reconcile` calls it.",
    scope: "machine",
    success: {
      status: 200,
      description: "What Clerk has, and what was tombstoned.",
      schema: "Reconcile",
    },
    errors: [401, 403, 409],
  },
];

// Every operation can meet these: the rate limits, and a database or Clerk that cannot answer.
const COMMON_ERRORS: ErrorStatus[] = [429, 503];

const RETRY_AFTER = {
  description: "Seconds to wait before trying again.",
  schema: { type: "integer", minimum: 1 },
};

const ERROR_RESPONSES: Record<
  ErrorStatus,
  {
    description: string;
    schema: string;
    headers?: OpenApiOperation["responses"][string]["headers"];
  }
> = {
  401: {
    description:
      "No credential, or one Clerk does not accept: malformed, unknown, revoked or expired.",
    schema: "Problem",
  },
  403: {
    description:
      "Authenticated but not allowed: `missing_scope` names the scope the API key or OAuth access token lacks (for a machine, the app's machine id its token does not name), `missing_permission` the permission the session's role (or the role of the user an OAuth application acts for) lacks; `missing_feature` or `plan_limit` what the organization's plan lacks (with the `plans` that unlock it). An OAuth access token whose user has left its organization is refused here too.",
    schema: "Problem",
  },
  409: {
    description: "A reconciliation is running already; this request started nothing.",
    schema: "Problem",
  },
  404: {
    description: "No such project in the caller's workspace (another workspace's look the same).",
    schema: "Problem",
  },
  413: { description: `The body is larger than ${MAX_BODY_BYTES} bytes.`, schema: "Problem" },
  415: { description: "The body is not application/json.", schema: "Problem" },
  422: {
    description: "Invalid input: `errors` names each field and what is wrong with it.",
    schema: "ValidationProblem",
  },
  429: {
    description:
      "Over a rate limit: requests per minute per credential (set by the organization's plan), or failed credentials per minute per client address. `RateLimit` and `RateLimit-Policy` (IETF draft) say which and when it resets; the same headers come with every successful answer.",
    schema: "Problem",
    headers: {
      "Retry-After": RETRY_AFTER,
      RateLimit: {
        description: 'What is left of the limit, e.g. `"api";r=0;t=42`.',
        schema: { type: "string" },
      },
      "RateLimit-Policy": {
        description: 'The limit, e.g. `"api";q=600;w=60`.',
        schema: { type: "string" },
      },
    },
  },
  503: {
    description:
      "The database or Clerk (which verifies API keys and opaque M2M tokens, and knows the organization's plan) cannot answer right now, or, for the machine routes, the app has no Clerk machine (`CLERK_MACHINE_SECRET_KEY`). Retry after `Retry-After` seconds.",
    schema: "Problem",
    headers: { "Retry-After": RETRY_AFTER },
  },
};

const ID_PARAMETER: OpenApiParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The project's id.",
  schema: { type: "string", format: "uuid" },
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

// zod marks each generated schema as a standalone document; inside OpenAPI they are fragments.
function fragment(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const requests = z.registry<{ id: string }>();
  requests.add(ProjectInput, { id: "ProjectInput" });
  requests.add(ProjectPatch, { id: "ProjectPatch" });
  const responses = z.registry<{ id: string }>();
  responses.add(ProjectResource, { id: "Project" });
  responses.add(ProjectPageResource, { id: "ProjectPage" });
  responses.add(MeResource, { id: "Me" });
  responses.add(MemberPageResource, { id: "MemberPage" });
  responses.add(AuditEventPageResource, { id: "AuditEventPage" });
  responses.add(ReconcileResource, { id: "Reconcile" });
  responses.add(ProblemResource, { id: "Problem" });
  responses.add(ValidationProblemResource, { id: "ValidationProblem" });
  const all = {
    ...z.toJSONSchema(requests, { io: "input", uri }).schemas,
    ...z.toJSONSchema(responses, { io: "output", uri }).schemas,
  };
  return Object.fromEntries(Object.entries(all).map(([id, s]) => [id, fragment(s)]));
}

function queryParameters(query: z.ZodObject): OpenApiParameter[] {
  return Object.entries(query.shape).map(([name, field]) => {
    const { description, ...schema } = fragment(z.toJSONSchema(field, { io: "input" }));
    return {
      name,
      in: "query",
      required: !field.isOptional(),
      description: typeof description === "string" ? description : undefined,
      schema,
    };
  });
}

function security(op: ApiOperation): Record<string, string[]>[] {
  if (op.scope === "machine") return [{ m2mToken: [] }];
  if (op.scope === null) return [{ apiKey: [] }, { session: [] }, { oauth: [] }];
  const permission = SESSION_PERMISSIONS[op.scope];
  return [
    { apiKey: [op.scope] },
    { session: permission ? [permission] : [] },
    { oauth: [op.scope] },
  ];
}

function requirement(op: ApiOperation): string {
  if (op.scope === "machine") {
    return "\n\nRequires: an M2M token of a machine that Clerk gives a scope to this app's machine; sessions and API keys are refused (401).";
  }
  if (op.scope === null) return "";
  const permission = SESSION_PERMISSIONS[op.scope];
  const session = permission
    ? `sessions need \`${permission}\` in the active organization`
    : "sessions need only membership of the active organization";
  const oauth = permission
    ? `OAuth access tokens need the scope \`${op.scope}\` granted and, in an organization, \`${permission}\` in the role of the user they act for`
    : `OAuth access tokens need the scope \`${op.scope}\` granted`;
  return `\n\nRequires: API keys need the scope \`${op.scope}\`; ${session}; ${oauth}. In the personal workspace a session may do everything.`;
}

function operationObject(op: ApiOperation): OpenApiOperation {
  const responses: OpenApiOperation["responses"] = {
    [op.success.status]: {
      description: op.success.description,
      ...(op.success.schema && {
        content: { "application/json": { schema: ref(op.success.schema) } },
      }),
    },
  };
  for (const status of [...op.errors, ...COMMON_ERRORS]) {
    const { description, schema, headers } = ERROR_RESPONSES[status];
    responses[status] = {
      description,
      ...(headers && { headers }),
      content: { "application/problem+json": { schema: ref(schema) } },
    };
  }
  return {
    operationId: op.operationId,
    ...(op.server && { servers: [{ url: op.server }] }),
    summary: op.summary,
    description: op.description + requirement(op),
    security: security(op),
    parameters: [
      ...(op.pathId ? [ID_PARAMETER] : []),
      ...(op.query ? queryParameters(op.query) : []),
    ],
    ...(op.body && {
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: ref(op.body.schema), example: op.body.example },
        },
      },
    }),
    responses,
  };
}

export function openApiDocument() {
  const paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>> = {};
  for (const op of API_OPERATIONS) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Acme Projects API",
      version: "1",
      description:
        "Send an API key (created in settings), a Clerk session token or an OAuth access token of an application the user connected as `Authorization: Bearer <token>`; the machine routes under `/api/internal` take an M2M token of this deployment's machines instead. Errors are `application/problem+json` (RFC 9457), their `instance` the request's id (also in the `x-request-id` header: quote it when you report a problem). API keys can do exactly what their scopes allow; a key with no scopes can only call `GET /me`. A method an operation does not have answers 405 with `Allow`, a path that names no operation 404.",
    },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key (`ak_...`) of a user or an organization. The array lists the scope the operation needs.",
        },
        session: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A Clerk session token (in the browser, the `__session` cookie). The array lists the organization permission the operation needs.",
        },
        oauth: {
          type: "oauth2",
          description:
            "A Clerk OAuth access token (opaque `oat_...`, or a JWT typed `at+jwt`) of a third-party application the user connected: it acts for that user, with the scopes they granted, in the organization they chose on the consent screen (the `user:org:read` scope; without it, their personal workspace), and never beyond what the user's own role there allows. Clerk is the authorization server; through this app's proxy its metadata is at `/.well-known/oauth-authorization-server/__clerk`. MCP clients use `/mcp` (see the README).",
          flows: {
            authorizationCode: {
              authorizationUrl: "/__clerk/oauth/authorize",
              tokenUrl: "/__clerk/oauth/token",
              refreshUrl: "/__clerk/oauth/token",
              scopes: {
                ...Object.fromEntries(CUSTOM_OAUTH_SCOPES.map((s) => [s.scope, s.description])),
                [ORGANIZATION_SCOPE]: "Act in the organization you choose on the consent screen",
              },
            },
          },
        },
        m2mToken: {
          type: "http",
          scheme: "bearer",
          description:
            "A Clerk M2M token (opaque `mt_...`, or a JWT whose `sub` is a machine `mch_...`) minted with a machine's secret key; Clerk must give that machine a scope to this app's machine.",
        },
      },
      schemas: componentSchemas(),
    },
    paths,
  };
}
