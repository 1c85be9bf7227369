import type { ApiScope } from "@/auth/api-scopes";
import { appMachine } from "@/auth/app-machine";
import { roleDeclaresPermission } from "@/auth/declared-roles";
import {
  currentPrincipal,
  type MachinePrincipal,
  type Principal,
  type TenantPrincipal,
} from "@/auth/principal";
import { apiTokenTypes } from "@/auth/route-table";
import { type Problem, problem } from "@/http/problem";

// The one place that decides what a caller may do, with one set of rules per kind of principal.
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
//
// Third-party applications (OAuth access tokens): the scopes the user granted, and in an
// organization no more than the user's own role there allows now (as synced from Clerk), so an
// application never does what the person who connected it could not.
//
// Machines (M2M tokens): the machine routes only, and only for machines Clerk gave a scope to this
// app's own machine (src/auth/app-machine.ts). They act for no tenant, so no API scope is theirs.
export const AUDIT_READ_PERMISSION = "org:audit:read";

export const SESSION_PERMISSIONS: Record<ApiScope, string | null> = {
  "projects:read": "org:projects:read",
  "projects:write": "org:projects:manage",
  "members:read": null,
  "audit:read": AUDIT_READ_PERMISSION,
};

export type Decision = { ok: true } | { ok: false; problem: Problem };

const ALLOWED: Decision = { ok: true };

// The permission a person needs in an organization for a scope (null: membership is enough).
function personMay(permissions: (permission: string) => boolean, scope: ApiScope): string | null {
  const permission = SESSION_PERMISSIONS[scope];
  return permission === null || permissions(permission) ? null : permission;
}

export function decide(principal: TenantPrincipal, scope: ApiScope): Decision {
  if (principal.tokenType === "oauth_token") {
    if (!principal.scopes.includes(scope)) {
      return {
        ok: false,
        problem: problem(
          "forbidden",
          `The user did not grant ${principal.appName} the scope ${scope}.`,
          { missing_scope: scope },
        ),
      };
    }
    if (principal.orgId === null) return ALLOWED;
    const missing = personMay((p) => roleDeclaresPermission(principal.orgRole, p), scope);
    if (missing === null) return ALLOWED;
    return {
      ok: false,
      problem: problem(
        "forbidden",
        `The user who granted ${principal.appName} access lacks the permission ${missing} in this organization.`,
        { missing_permission: missing },
      ),
    };
  }
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

// A machine may call this app when its token names the app's machine among its scopes: Clerk's
// machine scopes, as they were when the token was minted.
export function decideMachine(principal: MachinePrincipal, appMachineId: string): Decision {
  if (principal.scopes.includes(appMachineId)) return ALLOWED;
  return {
    ok: false,
    problem: problem(
      "forbidden",
      `Clerk gives machine ${principal.machineId} no scope to this app's machine (${appMachineId}); grant one (Dashboard > Machines) and mint a new token.`,
      { missing_scope: appMachineId },
    ),
  };
}

export type Access<P extends Principal = Principal> =
  | { ok: true; principal: P }
  | { ok: false; problem: Problem };

function wrongKind(principal: Principal): Access<never> {
  return {
    ok: false,
    problem: problem("forbidden", `This route is not for ${principal.tokenType} callers.`),
  };
}

// Every /api/v1 handler starts here: authenticate again with the token types the route table names
// for `route` (the proxy is not the only gate), then authorize the scope. `null` asks only for a
// valid credential.
export async function authorizeApi(
  route: string,
  scope: ApiScope | null,
): Promise<Access<TenantPrincipal>> {
  const result = await currentPrincipal(apiTokenTypes(route));
  if (!result.ok) return result;
  const { principal } = result;
  if (principal.tokenType === "m2m_token") return wrongKind(principal);
  if (scope === null) return { ok: true, principal };
  const decision = decide(principal, scope);
  return decision.ok ? { ok: true, principal } : decision;
}

// Every machine route's handler starts here.
export async function authorizeMachine(route: string): Promise<Access<MachinePrincipal>> {
  const result = await currentPrincipal(apiTokenTypes(route));
  if (!result.ok) return result;
  const { principal } = result;
  if (principal.tokenType !== "m2m_token") return wrongKind(principal);
  const app = await appMachine();
  if (app.status !== "known") {
    const detail =
      app.status === "unconfigured"
        ? "This app has no Clerk machine (CLERK_MACHINE_SECRET_KEY is not set), so no machine may call it."
        : "Clerk cannot tell this app's machine right now. Try again shortly.";
    return { ok: false, problem: problem("service-unavailable", detail) };
  }
  const decision = decideMachine(principal, app.id);
  return decision.ok ? { ok: true, principal } : decision;
}
