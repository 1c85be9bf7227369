import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { desc, eq } from "drizzle-orm";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import { oncePerWindow } from "@/billing/once-per-window";
import type { Database } from "@/db/client";
import { subscriptionItems } from "@/db/schema";
import { serverEnv } from "@/env/server-env";
import { logger } from "@/observability/logger";
import {
  type SubscriptionItemSnapshot,
  snapshotsOfBackendSubscription,
} from "@/webhooks/billing-events";
import { replaceSubscriptionItems } from "@/webhooks/billing-sync";
import { BILLING_PLANS, type DeclaredPlan, defaultPlan } from "../../clerk/billing-plans";

// The plan an organization is on, for callers whose credential carries no plan: an API key is
// verified by Clerk, but unlike a session token it has no `pla`/`fea` claims. The source is the
// database, which Clerk's billing webhooks keep (subscription_items); an organization it knows
// nothing of yet (created before the webhook endpoint, or its first events not delivered yet) is
// looked up once with the Backend API and stored through the same guarded write, so the next
// request finds it. Signed-in users' plans come from their session token instead (authorize.ts).
//
// The database can also be behind: an upgrade's webhook takes seconds, or minutes, or is lost.
// So when the stored plan refuses something, authorize.ts asks for it again here
// (recheckedOrganizationPlan): read from Clerk and stored the same way, at most once per
// organization every API_KEY_CACHE_SECONDS (how long Clerk's answers about a key are trusted; 0:
// every refusal asks, as every request then has its key verified), so that a key hammering what
// its plan refuses costs Clerk one call per window, not one per request.

// An item in force: the plan being paid for now, also once canceled (until its period ends) or
// while a payment is overdue.
const IN_FORCE = ["active", "canceled", "past_due"];

const planBySlug = (slug: string | null): DeclaredPlan =>
  BILLING_PLANS.organization_plans.find((p) => p.key === slug) ?? defaultPlan(BILLING_PLANS);

// The newest item in force decides; between an item ending and the next one's event, none is in
// force: the default plan.
const planInForce = (items: { planSlug: string | null; status: string }[]) =>
  planBySlug(items.find((i) => IN_FORCE.includes(i.status))?.planSlug ?? null);

// What the database says: the plan in force, or "unknown" when it holds no item of the
// organization at all.
async function storedPlan(db: Database, organizationId: string) {
  const rows = await db
    .select({ planSlug: subscriptionItems.planSlug, status: subscriptionItems.status })
    .from(subscriptionItems)
    .where(eq(subscriptionItems.organizationId, organizationId))
    .orderBy(desc(subscriptionItems.periodStart), desc(subscriptionItems.clerkUpdatedAt));
  if (rows.length === 0) return "unknown" as const;
  return planInForce(rows);
}

const newestFirst = (a: SubscriptionItemSnapshot, b: SubscriptionItemSnapshot) =>
  b.periodStart.getTime() - a.periodStart.getTime();

// The organization's subscription as Clerk has it now, stored as reconciliation stores it: through
// the webhooks' guarded write (an item moves only to a newer state than the one stored), and the
// items Clerk no longer lists ended. Null when Clerk cannot answer.
async function planFromClerk(db: Database, organizationId: string): Promise<DeclaredPlan | null> {
  try {
    const subscription = await clerkBackendApi((c) =>
      c.billing.getOrganizationBillingSubscription(organizationId),
    );
    const items = snapshotsOfBackendSubscription(organizationId, subscription);
    await db.transaction((tx) =>
      replaceSubscriptionItems(tx, organizationId, new Date(subscription.updatedAt), items),
    );
    return planInForce(items.sort(newestFirst));
  } catch (err) {
    // An organization Clerk bills nothing to (no subscription) is on the default plan.
    if (isClerkAPIResponseError(err) && err.status === 404) return defaultPlan(BILLING_PLANS);
    logger.warn(
      { org_id: organizationId, reason: err instanceof Error ? err.message : String(err) },
      "billing: the organization's plan could not be read from Clerk",
    );
    return null;
  }
}

export type OrganizationPlan = {
  plan: DeclaredPlan;
  // Read from Clerk for this request (the database knew nothing of the organization): asking
  // again cannot tell anything newer.
  fromClerk: boolean;
};

// Null when neither the database nor Clerk can tell (Clerk unreachable): the caller answers 503.
export async function organizationPlan(
  db: Database,
  organizationId: string,
): Promise<OrganizationPlan | null> {
  const stored = await storedPlan(db, organizationId);
  if (stored !== "unknown") return { plan: stored, fromClerk: false };
  const plan = await planFromClerk(db, organizationId);
  return plan && { plan, fromClerk: true };
}

// The window is counted in each app instance's memory (N instances ask at most N times a window),
// kept on globalThis so that every bundle of the process (and dev-mode hot reloads) shares it.
const holder = globalThis as typeof globalThis & {
  __planRechecks?: (
    key: string,
    ask: () => Promise<DeclaredPlan | null>,
  ) => Promise<DeclaredPlan | null>;
};

// The plan as Clerk has it now, for a refusal on the stored plan: read and stored at most once
// per organization per API_KEY_CACHE_SECONDS; a refusal within the window gets that read's
// answer. Null when Clerk could not answer: the stored plan's refusal stands.
export async function recheckedOrganizationPlan(
  db: Database,
  organizationId: string,
): Promise<DeclaredPlan | null> {
  holder.__planRechecks ??= oncePerWindow<DeclaredPlan | null>(
    serverEnv().API_KEY_CACHE_SECONDS * 1000,
  );
  return holder.__planRechecks(organizationId, async () => {
    const plan = await planFromClerk(db, organizationId);
    if (plan) {
      logger.info(
        { org_id: organizationId, plan: plan.key },
        "billing: the organization's plan read again from Clerk on a refusal",
      );
    }
    return plan;
  });
}
