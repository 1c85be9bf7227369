import type { ApiScope } from "@/auth/api-scopes";
import { currentPrincipal, type Principal } from "@/auth/principal";
import { organizationPlan } from "@/billing/organization-plan";
import { database } from "@/db/client";
import { type Problem, problem } from "@/http/problem";
import { BILLING_PLANS, type DeclaredPlan, defaultPlan } from "../../clerk/billing-plans";

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

// The plan features a call needs beyond its scope: an organization's API key needs its plan's
// organization API keys (a key made on a plan that had them, or made outside the app, is kept
// after a downgrade but works again only on such a plan); reading the audit log needs the audit
// log. `GET /me` (no scope) answers any valid key, so a refused key can still tell whose it is.
const SCOPE_FEATURES: Partial<Record<ApiScope, PlanFeature>> = { "audit:read": "audit_log" };

function featuresNeeded(p: Principal, scope: ApiScope): PlanFeature[] {
  const scoped = SCOPE_FEATURES[scope];
  return [
    ...(p.tokenType === "api_key" && p.orgId ? (["organization_api_keys"] as const) : []),
    ...(scoped ? [scoped] : []),
  ];
}

// Every /api/v1 handler starts here: authenticate again (the proxy is not the only gate), then
// authorize the scope and the plan features it needs. `null` asks only for a valid credential.
export async function authorizeApi(scope: ApiScope | null): Promise<Access> {
  const result = await currentPrincipal();
  if (!result.ok || scope === null) return result;
  const decision = decide(result.principal, scope);
  if (!decision.ok) return decision;
  const features = featuresNeeded(result.principal, scope);
  if (features.length === 0) return result;
  const billing = await billingOf(result.principal);
  if (billing === "unavailable") return { ok: false, problem: PLAN_UNAVAILABLE };
  if (billing === null) return result;
  for (const feature of features) {
    const allowed = decideFeature(billing, feature);
    if (!allowed.ok) return allowed;
  }
  return result;
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
export async function billingOf(p: Principal): Promise<BillingCheck | null | "unavailable"> {
  if (p.orgId === null) return null;
  if (p.tokenType === "session_token") return p.billing;
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

// Creating one more project when `existing` are there.
export function decideProjectCount(has: BillingCheck, existing: number): Decision {
  const limit = currentPlan(has).limits.projects;
  if (existing < limit) return ALLOWED;
  const plans = PLANS.filter((p) => p.limits.projects > existing).map((p) => p.key);
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
  p: Principal,
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

// The same for a caller the proxy has just authenticated: from the session token's claims, or for
// an API key from the synced subscription. Null in a personal workspace (no plan applies);
// "unavailable" when an API key's organization's plan cannot be read.
export async function planRateLimit(
  caller:
    | { tokenType: "session_token"; orgId: string | null; has: BillingCheck }
    | { tokenType: "api_key"; orgId: string | null },
): Promise<number | null | "unavailable"> {
  if (caller.orgId === null) return null;
  if (caller.tokenType === "session_token") return apiRateLimit(caller.has);
  const plan = await organizationPlan(database().db, caller.orgId);
  return plan ? plan.limits.api_requests_per_minute : "unavailable";
}
