import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { desc, eq } from "drizzle-orm";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import type { Database } from "@/db/client";
import { subscriptionItems } from "@/db/schema";
import { logger } from "@/observability/logger";
import { snapshotsOfBackendSubscription } from "@/webhooks/billing-events";
import { writeSubscriptionItems } from "@/webhooks/billing-sync";
import { BILLING_PLANS, type DeclaredPlan, defaultPlan } from "../../clerk/billing-plans";

// The plan an organization is on, for callers whose credential carries no plan: an API key is
// verified by Clerk, but unlike a session token it has no `pla`/`fea` claims. The source is the
// database, which Clerk's billing webhooks keep (subscription_items); an organization it knows
// nothing of yet (created before the webhook endpoint, or its first events not delivered yet) is
// looked up once with the Backend API and stored through the same guarded write, so the next
// request finds it. Signed-in users' plans come from their session token instead (authorize.ts).

// An item in force: the plan being paid for now, also once canceled (until its period ends) or
// while a payment is overdue.
const IN_FORCE = ["active", "canceled", "past_due"];

const planBySlug = (slug: string | null): DeclaredPlan =>
  BILLING_PLANS.organization_plans.find((p) => p.key === slug) ?? defaultPlan(BILLING_PLANS);

// What the database says: the plan in force, or "unknown" when it holds no item of the
// organization at all.
async function storedPlan(db: Database, organizationId: string) {
  const rows = await db
    .select({ planSlug: subscriptionItems.planSlug, status: subscriptionItems.status })
    .from(subscriptionItems)
    .where(eq(subscriptionItems.organizationId, organizationId))
    .orderBy(desc(subscriptionItems.periodStart), desc(subscriptionItems.clerkUpdatedAt));
  if (rows.length === 0) return "unknown" as const;
  // Between an item ending and the next one's event, none is in force: the default plan.
  return planBySlug(rows.find((r) => IN_FORCE.includes(r.status))?.planSlug ?? null);
}

// Null when neither the database nor Clerk can tell (Clerk unreachable): the caller answers 503.
export async function organizationPlan(
  db: Database,
  organizationId: string,
): Promise<DeclaredPlan | null> {
  const stored = await storedPlan(db, organizationId);
  if (stored !== "unknown") return stored;
  try {
    const subscription = await clerkBackendApi((c) =>
      c.billing.getOrganizationBillingSubscription(organizationId),
    );
    const items = snapshotsOfBackendSubscription(organizationId, subscription);
    await db.transaction((tx) => writeSubscriptionItems(tx, items));
    return planBySlug(
      items
        .filter((i) => IN_FORCE.includes(i.status))
        .sort((a, b) => b.periodStart.getTime() - a.periodStart.getTime())[0]?.planSlug ?? null,
    );
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
