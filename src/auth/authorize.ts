import type { ApiScope } from "@/auth/api-scopes";
import { currentPrincipal, type Principal } from "@/auth/principal";
import { type Problem, problem } from "@/http/problem";

// The one place that decides what a caller may do with the API.
//
// API keys: exactly the scopes they carry. A key with no scopes can do nothing but identify itself
// (GET /api/v1/me): least privilege, so a key created without a choice grants nothing.
//
// Sessions: in an organization, the permission Clerk puts in the session token, as
// `has({ permission })` checks it. Reading members is Clerk's system permission
// `org:sys_memberships:read`, and Clerk keeps system permissions out of session tokens, so the
// rule for it is membership itself: every member of the active organization may read its members
// (Clerk's default roles both hold that permission). In the personal workspace (no active
// organization) the user is its only member and owner, and may do everything.
//
// Reading the audit log is `org:audit:read`, which the Activity page and its header link ask too.
export const AUDIT_READ_PERMISSION = "org:audit:read";

export const SESSION_PERMISSIONS: Record<ApiScope, string | null> = {
  "projects:read": "org:projects:read",
  "projects:write": "org:projects:manage",
  "members:read": null,
  "audit:read": AUDIT_READ_PERMISSION,
};

export type Decision = { ok: true } | { ok: false; problem: Problem };

const ALLOWED: Decision = { ok: true };

export function decide(principal: Principal, scope: ApiScope): Decision {
  if (principal.tokenType === "api_key") {
    if (principal.scopes.includes(scope)) return ALLOWED;
    return {
      ok: false,
      problem: problem("forbidden", `This API key lacks the scope ${scope}.`, {
        missing_scope: scope,
      }),
    };
  }
  if (principal.orgId === null) return ALLOWED;
  const permission = SESSION_PERMISSIONS[scope];
  if (permission === null || principal.permissions.includes(permission)) return ALLOWED;
  return {
    ok: false,
    problem: problem(
      "forbidden",
      `Your role in this organization lacks the permission ${permission}.`,
      { missing_permission: permission },
    ),
  };
}

export type Access = { ok: true; principal: Principal } | { ok: false; problem: Problem };

// Every /api/v1 handler starts here: authenticate again (the proxy is not the only gate), then
// authorize the scope. `null` asks only for a valid credential.
export async function authorizeApi(scope: ApiScope | null): Promise<Access> {
  const result = await currentPrincipal();
  if (!result.ok || scope === null) return result;
  const decision = decide(result.principal, scope);
  return decision.ok ? result : decision;
}
