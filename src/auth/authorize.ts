import { createCheckAuthorization } from "@clerk/shared/authorization";
import type { ApiScope } from "@/auth/api-scopes";
import { appMachine } from "@/auth/app-machine";
import { roleDeclaresPermission } from "@/auth/declared-roles";
import {
  currentPrincipal,
  type MachinePrincipal,
  type Principal,
  type SessionPrincipal,
  type TenantPrincipal,
  type VerifiedCredential,
} from "@/auth/principal";
import { apiTokenTypes } from "@/auth/route-table";
import { organizationPlan } from "@/billing/organization-plan";
import { database } from "@/db/client";
import { type Problem, problem } from "@/http/problem";
import { BILLING_PLANS, type DeclaredPlan, defaultPlan } from "../../clerk/billing-plans";

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
//
// Plans (Clerk Billing, below): an organization's plan decides which features and how much it
// gets. Plans are organizations': a personal workspace has none, and no plan limit applies to it.
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

// The plan features a call needs beyond its scope: an organization's API key needs its plan's
// organization API keys (a key made on a plan that had them, or made outside the app, is kept
// after a downgrade but works again only on such a plan); reading the audit log needs the audit
// log. `GET /me` (no scope) answers any valid key, so a refused key can still tell whose it is.
const SCOPE_FEATURES: Partial<Record<ApiScope, PlanFeature>> = { "audit:read": "audit_log" };

function featuresNeeded(p: TenantPrincipal, scope: ApiScope): PlanFeature[] {
  const scoped = SCOPE_FEATURES[scope];
  return [
    ...(p.tokenType === "api_key" && p.orgId ? (["organization_api_keys"] as const) : []),
    ...(scoped ? [scoped] : []),
  ];
}

// Every /api/v1 handler starts here: authenticate again with the token types the route table names
// for `route` (the proxy is not the only gate), then authorize the scope and the plan features it
// needs. `null` asks only for a valid credential.
export async function authorizeApi(
  route: string,
  scope: ApiScope | null,
): Promise<Access<TenantPrincipal>> {
  const result = await currentPrincipal(apiTokenTypes(route));
  if (!result.ok) return result;
  const { principal } = result;
  if (principal.tokenType === "m2m_token") return wrongKind(principal);
  if (scope === null) return { ok: true, principal };
  const decision = await decideWithPlan(principal, scope);
  return decision.ok ? { ok: true, principal } : decision;
}

// The scope and the plan features a call with it needs: what every /api/v1 operation and MCP tool
// asks.
export async function decideWithPlan(
  principal: TenantPrincipal,
  scope: ApiScope,
): Promise<Decision> {
  const decision = decide(principal, scope);
  if (!decision.ok) return decision;
  const features = featuresNeeded(principal, scope);
  if (features.length === 0) return ALLOWED;
  const billing = await billingOf(principal);
  if (billing === "unavailable") return { ok: false, problem: PLAN_UNAVAILABLE };
  if (billing === null) return ALLOWED;
  for (const feature of features) {
    const allowed = decideFeature(billing, feature);
    if (!allowed.ok) return allowed;
  }
  return ALLOWED;
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

// Clerk Billing: what the organization's plan (clerk/billing-plans.json) allows, read with Clerk's
// own `has({ plan })` / `has({ feature })`: from the session token's `pla`/`fea` claims for a
// signed-in user, from the synced subscription (src/billing/organization-plan.ts) for an API key,
// which carries no claims. A refusal is a 403 problem naming what is missing (`missing_feature`,
// or `plan_limit` with the `limit`) and the `plans` that unlock it, which the UI turns into an
// upgrade prompt. A downgrade keeps what was made: only new use past the limit is refused.
export type PlanFeature =
  | "more_projects"
  | "organization_api_keys"
  | "audit_log"
  | "higher_rate_limit";
export type BillingCheck = (params: { plan: string } | { feature: string }) => boolean;

const PLANS = BILLING_PLANS.organization_plans;

export function currentPlan(has: BillingCheck): DeclaredPlan {
  return PLANS.find((p) => has({ plan: `o:${p.key}` })) ?? defaultPlan(BILLING_PLANS);
}

// A plan read from the database, answering as `has()` does for a session token that carries it.
export function checkOfPlan(plan: DeclaredPlan): BillingCheck {
  const scoped = (value: string) => value.replace(/^(o|org|organization):/, "");
  return (params) =>
    "plan" in params
      ? scoped(params.plan) === plan.key
      : plan.features.includes(scoped(params.feature));
}

const PLAN_UNAVAILABLE = problem(
  "service-unavailable",
  "The organization's plan cannot be read right now. Try again shortly.",
);

// What the caller's tenant is entitled to: null in a personal workspace (no plan applies),
// "unavailable" when an API key's organization's plan can be read neither from the database nor
// from Clerk.
// Clerk's own `has()` over a session token's claims, as @clerk/backend builds it.
function sessionBilling(
  s: Pick<SessionPrincipal, "userId" | "orgId" | "orgRole" | "permissions" | "features" | "plans">,
): BillingCheck {
  const has = createCheckAuthorization({
    userId: s.userId,
    orgId: s.orgId,
    orgRole: s.orgRole,
    orgPermissions: s.permissions,
    factorVerificationAge: null,
    features: s.features,
    plans: s.plans,
  });
  return (params) => has(params);
}

export async function billingOf(p: TenantPrincipal): Promise<BillingCheck | null | "unavailable"> {
  if (p.orgId === null) return null;
  if (p.tokenType === "session_token") return sessionBilling(p);
  const plan = await organizationPlan(database().db, p.orgId);
  return plan ? checkOfPlan(plan) : "unavailable";
}

const names = (keys: string[]) =>
  keys.map((key) => PLANS.find((p) => p.key === key)?.name ?? key).join(" or ");

export function decideFeature(has: BillingCheck, feature: PlanFeature): Decision {
  if (has({ feature: `o:${feature}` })) return ALLOWED;
  const plans = PLANS.filter((p) => p.features.includes(feature)).map((p) => p.key);
  const name = BILLING_PLANS.features.find((f) => f.key === feature)?.name ?? feature;
  return {
    ok: false,
    problem: problem(
      "forbidden",
      `This organization's plan does not include ${name}. Upgrade to ${names(plans)} to use it.`,
      { missing_feature: feature, plans },
    ),
  };
}

// Creating one more project when `existing` are there (a plan's null limit: no limit).
const roomFor = (limit: number | null, existing: number) => limit === null || existing < limit;

export function decideProjectCount(has: BillingCheck, existing: number): Decision {
  const limit = currentPlan(has).limits.projects;
  if (limit === null || roomFor(limit, existing)) return ALLOWED;
  const plans = PLANS.filter((p) => roomFor(p.limits.projects, existing)).map((p) => p.key);
  return {
    ok: false,
    problem: problem(
      "forbidden",
      `This organization's plan allows ${limit} projects. Upgrade to ${names(plans)} for more.`,
      { plan_limit: "projects", limit, plans },
    ),
  };
}

// The rule for creating a project, to be applied to the count taken inside the insert's
// transaction (src/projects/projects.ts), so that concurrent creates cannot pass the limit
// together. Personal workspaces have no limit.
export type ProjectCountRule = (existing: number) => Decision;

export async function projectCountRule(
  p: TenantPrincipal,
): Promise<{ ok: true; rule: ProjectCountRule } | { ok: false; problem: Problem }> {
  const billing = await billingOf(p);
  if (billing === "unavailable") return { ok: false, problem: PLAN_UNAVAILABLE };
  if (billing === null) return { ok: true, rule: () => ALLOWED };
  return { ok: true, rule: (existing) => decideProjectCount(billing, existing) };
}

// Requests per minute per credential the organization's plan allows.
export function apiRateLimit(has: BillingCheck): number {
  return currentPlan(has).limits.api_requests_per_minute;
}

// The same for a credential the proxy has just verified.
export function credentialRateLimit(c: VerifiedCredential): Promise<number | null | "unavailable"> {
  if (c.tokenType === "session_token") {
    return planRateLimit({ orgId: c.orgId, has: sessionBilling(c) });
  }
  // An API key's subject is its organization (or its user: no plan).
  const orgId = c.tokenType === "api_key" && c.subject.startsWith("org_") ? c.subject : null;
  return planRateLimit({ orgId });
}

// The same for a caller the proxy has just authenticated: from a session token's claims (`has`),
// or for an API key from the synced subscription. Null outside an organization (a personal
// workspace, a machine: no plan applies); "unavailable" when an API key's organization's plan
// cannot be read.
export async function planRateLimit(caller: {
  orgId: string | null;
  has?: BillingCheck;
}): Promise<number | null | "unavailable"> {
  if (caller.orgId === null) return null;
  if (caller.has) return apiRateLimit(caller.has);
  const plan = await organizationPlan(database().db, caller.orgId);
  return plan ? plan.limits.api_requests_per_minute : "unavailable";
}
