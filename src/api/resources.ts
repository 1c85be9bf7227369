import { z } from "zod";
import { AUDIT_KINDS } from "@/audit/audit-kinds";
import type { TenantPrincipal } from "@/auth/principal";
import type { AuditEvent, Project } from "@/db/schema";
import type { Member } from "@/members/members";

// What /api/v1 answers, as zod schemas: the handlers build their JSON through the mappers below
// (typed by these schemas) and the OpenAPI document is generated from the same schemas.

export const ProjectResource = z.object({
  id: z.uuid(),
  tenant_id: z.string().meta({
    description: "The organization id, or the user id for a personal workspace.",
  }),
  name: z.string(),
  description: z.string().nullable(),
  created_by: z.string().meta({
    description: "The user who created it, or the API key id when an organization's key did.",
  }),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const ProjectPageResource = z.object({
  data: z.array(ProjectResource),
  next_cursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
});

export const MemberResource = z.object({
  id: z.string().meta({ description: "The Clerk membership id." }),
  user_id: z.string(),
  role: z.string().nullable(),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  image_url: z.string().nullable(),
});

export const MemberPageResource = z.object({
  data: z.array(MemberResource),
  next_cursor: z.string().nullable(),
});

export const AuditEventResource = z.object({
  id: z.uuid(),
  tenant_id: z.string(),
  kind: z.enum(AUDIT_KINDS).meta({ description: "What happened, as a stable dotted name." }),
  actor: z
    .object({
      type: z.enum(["user", "api_key", "machine", "oauth_app", "clerk"]),
      id: z.string().nullable(),
      name: z.string().nullable(),
      impersonator_id: z.string().nullable(),
    })
    .meta({
      description:
        'Who did it: a user (`id` is the user id, `name` their name or email address when the event was recorded; `impersonator_id` the Clerk user who acted as them in an impersonation session, else null), an API key (`id` and `name` of the key), a machine of this deployment such as a scheduled job (`id` is its Clerk machine id), a third-party application acting for a user with an OAuth access token (`oauth_app`: `id` is the user, `name` says "<user> via <application>"), or `clerk` for a change made in Clerk (its components or dashboard, by someone with the right) whose webhook does not say who made it (`id` and `name` null).',
    }),
  target: z.object({
    type: z.string().meta({ description: "`project`, `api_key`, `membership` or `invitation`." }),
    id: z.string(),
  }),
  changes: z
    .record(z.string(), z.unknown())
    .meta({ description: "What changed (never a secret): e.g. a project's new name." }),
  occurred_at: z.iso.datetime(),
  request_id: z.string().nullable().meta({
    description: "The id of the request that made the change (its `x-request-id`).",
  }),
  client_address: z.string().nullable().meta({
    description: "The caller's address; null for changes reported by Clerk's webhooks.",
  }),
});

export const AuditEventPageResource = z.object({
  data: z.array(AuditEventResource),
  next_cursor: z.string().nullable(),
});

export const MeResource = z.discriminatedUnion("token_type", [
  z.object({
    token_type: z.literal("api_key"),
    api_key: z.object({ id: z.string(), name: z.string() }),
    user_id: z.string().nullable(),
    org_id: z.string().nullable(),
    tenant_id: z.string(),
    scopes: z.array(z.string()),
  }),
  z.object({
    token_type: z.literal("session_token"),
    user_id: z.string(),
    org_id: z.string().nullable(),
    org_slug: z.string().nullable(),
    org_role: z.string().nullable(),
    tenant_id: z.string(),
    permissions: z.array(z.string()),
  }),
  z.object({
    token_type: z.literal("oauth_token"),
    oauth_application: z.object({ client_id: z.string(), name: z.string() }),
    user_id: z.string(),
    org_id: z.string().nullable(),
    org_role: z.string().nullable(),
    tenant_id: z.string(),
    scopes: z.array(z.string()),
  }),
]);

const ReconcileCounts = z.object({
  listed: z.int().meta({ description: "How many Clerk has (each written to the database)." }),
  tombstoned: z.int().meta({
    description: "Live rows Clerk no longer has, now tombstoned (each confirmed with Clerk first).",
  }),
});

export const ReconcileResource = z.object({
  users: ReconcileCounts,
  organizations: ReconcileCounts,
  memberships: ReconcileCounts,
  subscriptions: z.object({
    listed: z.int().meta({
      description:
        "Organizations whose Clerk Billing subscription Clerk has (its items written to the database).",
    }),
    ended: z.int().meta({
      description:
        "Subscription items the database held that their subscription no longer lists, now stored as ended.",
    }),
  }),
  duration_ms: z.int(),
});

// RFC 9457: a stable `type` per kind of error; extension members depend on the kind.
export const ProblemResource = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  instance: z
    .string()
    .optional()
    .meta({ description: "The request's id, as in its `x-request-id` header." }),
  missing_scope: z
    .string()
    .optional()
    .meta({ description: "403 from an API key: the scope it lacks." }),
  missing_permission: z
    .string()
    .optional()
    .meta({ description: "403 from a session: the permission its role lacks." }),
  missing_feature: z
    .string()
    .optional()
    .meta({ description: "403: the plan feature the organization's plan lacks." }),
  plan_limit: z
    .string()
    .optional()
    .meta({ description: "403: the plan limit reached, e.g. `projects`; `limit` is its value." }),
  limit: z.int().optional().meta({ description: "403 with `plan_limit`: the plan's limit." }),
  plans: z.array(z.string()).optional().meta({
    description:
      "403 with `missing_feature` or `plan_limit`: the plans (Clerk Billing slugs) that unlock it.",
  }),
});

export const ValidationProblemResource = ProblemResource.extend({
  errors: z.array(
    z.object({
      field: z.string().meta({ description: "Dotted path of the field, or `body`." }),
      message: z.string(),
    }),
  ),
});

export function projectResource(p: Project): z.infer<typeof ProjectResource> {
  return {
    id: p.id,
    tenant_id: p.tenantId,
    name: p.name,
    description: p.description,
    created_by: p.createdBy,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function memberResource(m: Member): z.infer<typeof MemberResource> {
  return {
    id: m.id,
    user_id: m.userId,
    role: m.role,
    email: m.email,
    first_name: m.firstName,
    last_name: m.lastName,
    image_url: m.imageUrl,
  };
}

export function auditEventResource(e: AuditEvent): z.infer<typeof AuditEventResource> {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    kind: e.kind,
    actor: {
      type: e.actorType,
      id: e.actorId,
      name: e.actorName,
      impersonator_id: e.impersonatorId,
    },
    target: { type: e.targetType, id: e.targetId },
    changes: e.changes,
    occurred_at: e.occurredAt.toISOString(),
    request_id: e.requestId,
    client_address: e.clientAddress,
  };
}

export function meResource(p: TenantPrincipal): z.infer<typeof MeResource> {
  if (p.tokenType === "oauth_token") {
    return {
      token_type: p.tokenType,
      oauth_application: { client_id: p.clientId, name: p.appName },
      user_id: p.userId,
      org_id: p.orgId,
      org_role: p.orgRole,
      tenant_id: p.tenantId,
      scopes: p.scopes,
    };
  }
  return p.tokenType === "api_key"
    ? {
        token_type: p.tokenType,
        api_key: { id: p.keyId, name: p.keyName },
        user_id: p.userId,
        org_id: p.orgId,
        tenant_id: p.tenantId,
        scopes: p.scopes,
      }
    : {
        token_type: p.tokenType,
        user_id: p.userId,
        org_id: p.orgId,
        org_slug: p.orgSlug,
        org_role: p.orgRole,
        tenant_id: p.tenantId,
        permissions: p.permissions,
      };
}
