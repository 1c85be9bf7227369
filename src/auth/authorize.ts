import { auth, reverificationError } from "@clerk/nextjs/server";
import { createCheckAuthorization } from "@clerk/shared/authorization";
import type { ApiScope } from "@/auth/api-scopes";
import { appMachine } from "@/auth/app-machine";
import { roleDeclaresPermission } from "@/auth/declared-roles";
import {
  type AdmittedBearer,
  currentPrincipal,
  type MachinePrincipal,
  type Principal,
  type ReverificationPreset,
  type SessionPrincipal,
  type TenantPrincipal,
  type VerifiedCredential,
} from "@/auth/principal";
import { apiTokenTypes } from "@/auth/route-table";
import { organizationPlan, recheckedOrganizationPlan } from "@/billing/organization-plan";
import { database } from "@/db/client";
import { type Problem, problem } from "@/http/problem";
import { countProjects } from "@/projects/projects";
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
//
// Sensitive actions (reverification, at the end): a session must have verified the user recently.
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

// Every /api/v1 handler starts here: authenticate with the token types the route table names for
// `route` (the bearer token the API gate admitted, else the session Clerk's middleware read), then
// authorize the scope, the plan features it
// needs, and a sensitive action's fresh verification. `null` asks only for a valid credential.
export async function authorizeApi(
  route: string,
  bearer: AdmittedBearer | null,
  scope: ApiScope | null,
  sensitive?: SensitiveAction,
): Promise<Access<TenantPrincipal>> {
  const result = await currentPrincipal(apiTokenTypes(route), bearer);
  if (!result.ok) return result;
  const { principal } = result;
  if (principal.tokenType === "m2m_token") return wrongKind(principal);
  const decision = scope === null ? ALLOWED : await decideWithPlan(principal, scope);
  if (!decision.ok) return decision;
  const fresh = sensitive ? decideSensitive(principal, sensitive) : ALLOWED;
  return fresh.ok ? { ok: true, principal } : fresh;
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
  const rule = (has: BillingCheck) =>
    features.map((f) => decideFeature(has, f)).find((d) => !d.ok) ?? ALLOWED;
  const billing = await billingFor(principal, rule);
  if (billing === "unavailable") return { ok: false, problem: PLAN_UNAVAILABLE };
  return billing === null ? ALLOWED : rule(billing);
}

// Every machine route's handler starts here.
export async function authorizeMachine(
  route: string,
  bearer: AdmittedBearer | null,
): Promise<Access<MachinePrincipal>> {
  const result = await currentPrincipal(apiTokenTypes(route), bearer);
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

// Clerk's own `has()` over a session token's claims, as @clerk/backend builds it: plans and
// features (`pla`, `fea`) and reverification (`fva`).
type SessionClaims = Pick<
  SessionPrincipal,
  "userId" | "orgId" | "orgRole" | "permissions" | "features" | "plans" | "factorVerificationAge"
>;

function sessionHas(s: SessionClaims) {
  return createCheckAuthorization({
    userId: s.userId,
    orgId: s.orgId,
    orgRole: s.orgRole,
    orgPermissions: s.permissions,
    factorVerificationAge: s.factorVerificationAge,
    features: s.features,
    plans: s.plans,
  });
}

function sessionBilling(s: SessionClaims): BillingCheck {
  const has = sessionHas(s);
  return (params) => has(params);
}

// What the caller's tenant is entitled to, for `rule` to decide on: null in a personal workspace
// (no plan applies), "unavailable" when an API key's organization's plan can be read neither from
// the database nor from Clerk. A plan read from the database (an API key's or an application's,
// whose tokens carry no claims) may be behind Clerk: the webhook of an upgrade paid a moment ago
// may not have arrived. So when `rule` refuses on it, the plan is read again from Clerk (at most
// once per organization per window: src/billing/organization-plan.ts) and that plan is the one
// decided on; if Clerk cannot answer, the stored plan's refusal stands.
async function billingFor(
  p: TenantPrincipal,
  rule: (has: BillingCheck) => Decision | Promise<Decision>,
): Promise<BillingCheck | null | "unavailable"> {
  if (p.orgId === null) return null;
  if (p.tokenType === "session_token") return sessionBilling(p);
  const db = database().db;
  const stored = await organizationPlan(db, p.orgId);
  if (stored === null) return "unavailable";
  const has = checkOfPlan(stored.plan);
  if (stored.fromClerk || (await rule(has)).ok) return has;
  const fresh = await recheckedOrganizationPlan(db, p.orgId);
  return fresh ? checkOfPlan(fresh) : has;
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
// together. Personal workspaces have no limit. Whether a stored plan is behind Clerk is asked
// before (no Clerk call inside the transaction, which holds the tenant's lock), on the count then:
// a create that only the count inside finds past the limit (a concurrent one took the last room)
// is refused on the stored plan, and the next one asks.
export type ProjectCountRule = (existing: number) => Decision;

export async function projectCountRule(
  p: TenantPrincipal,
): Promise<{ ok: true; rule: ProjectCountRule } | { ok: false; problem: Problem }> {
  const billing = await billingFor(p, async (has) =>
    decideProjectCount(has, await countProjects(database().db, p.tenantId)),
  );
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
  return planRateLimit({ orgId: keyOrganization(c) });
}

// An API key's subject is its organization (or its user: no plan).
const keyOrganization = (c: VerifiedCredential) =>
  c.tokenType === "api_key" && c.subject.startsWith("org_") ? c.subject : null;

// For an API key over its stored plan's limit: the limit of the plan Clerk has now, read again as
// for any refusal on a stored plan (billingFor); null when Clerk cannot tell, or the credential's
// plan is not the stored one.
export async function recheckedRateLimit(c: VerifiedCredential): Promise<number | null> {
  const orgId = keyOrganization(c);
  if (orgId === null) return null;
  const fresh = await recheckedOrganizationPlan(database().db, orgId);
  return fresh ? fresh.limits.api_requests_per_minute : null;
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
  const stored = await organizationPlan(database().db, caller.orgId);
  return stored ? stored.plan.limits.api_requests_per_minute : "unavailable";
}

// Sensitive actions need a fresh verification (Clerk's reverification): a session may create or
// revoke an API key, or delete a project, only if it verified the user within the last 10 minutes
// (`strict`: their second factor, or their first if they have none). Otherwise the answer is
// Clerk's reverification error, on which the client's `useReverification()` opens Clerk's
// verification modal and, once the user has verified, runs the action again. The session's
// `has()` reads the token's `fva` claim (the minutes since each factor was verified). An API key
// or a third-party application cannot reverify: it is held to its scopes alone.
//
// Changing a member's role happens in Clerk's <OrganizationProfile/>, which talks to Clerk, not
// to this app; Clerk does not ask for reverification there (its list of sensitive actions is the
// user's own account: password, addresses, MFA, sessions, deletion), and neither does the
// emulator. A role change made by this app's own server code would be listed here.
// Reconnecting a third-party application gives it the user's access back, so it is listed;
// disconnecting one only takes access away, and is not (someone cutting off an application they
// distrust should not be slowed down).
export const SENSITIVE_ACTIONS = {
  "api_key.create": "strict",
  "api_key.revoke": "strict",
  "project.delete": "strict",
  "oauth_app.reconnect": "strict",
} as const satisfies Record<string, ReverificationPreset>;

export type SensitiveAction = keyof typeof SENSITIVE_ACTIONS;

export function decideSensitive(principal: TenantPrincipal, action: SensitiveAction): Decision {
  const preset = SENSITIVE_ACTIONS[action];
  if (principal.tokenType !== "session_token") return ALLOWED;
  if (sessionHas(principal)({ reverification: preset })) return ALLOWED;
  return {
    ok: false,
    // Clerk's error object rides in the problem, so a browser's fetch wrapped in
    // useReverification() sees it as Clerk's own reverification answer.
    problem: problem(
      "forbidden",
      "This action needs you to verify your identity again: your session last did more than 10 minutes ago.",
      { reverification: preset, ...reverificationError(preset) },
    ),
  };
}

// What an impersonator may not do (an impersonation session: Clerk's `act` claim): give out access
// that outlasts the impersonation, a new API key or an application's access back. Those stay the
// user's own decisions; everything else the user may do, the impersonator may, which is what
// support needs to reproduce and mend a problem.
const NOT_WHILE_IMPERSONATING: ReadonlySet<SensitiveAction> = new Set([
  "api_key.create",
  "oauth_app.reconnect",
]);

// For server actions: why the signed-in session may not take this action, or null.
export async function refusedWhileImpersonating(action: SensitiveAction): Promise<string | null> {
  if (!NOT_WHILE_IMPERSONATING.has(action)) return null;
  const { actor } = await auth();
  return actor
    ? "Not while impersonating: this gives out access that outlasts the impersonation, so only the user can do it."
    : null;
}

export type ReverificationRequired = ReturnType<typeof reverificationError<ReverificationPreset>>;

// For server actions: null when the signed-in session may go ahead, else Clerk's reverification
// error, which the action returns as is (useReverification() on the client takes it from there).
export async function requireReverification(
  action: SensitiveAction,
): Promise<ReverificationRequired | null> {
  const preset = SENSITIVE_ACTIONS[action];
  const { has } = await auth();
  return has({ reverification: preset }) ? null : reverificationError(preset);
}
