import { and, eq, lte, ne, notInArray, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { organizations, subscriptionItems } from "@/db/schema";
import type { SubscriptionItemSnapshot } from "./billing-events";
import type { Transaction } from "./clerk-sync";

// Writes the organizations' subscription items as Clerk describes them, in any order of delivery:
// an item row moves only to a state at least as new as the one it holds (Clerk's `updated_at` of
// that item), so a late `subscriptionItem.active` never revives an item that has ended, and the
// subscription events (which carry every item) and the item events converge on the same rows.
// Items of an organization already deleted are not written (its rows went with it).

const excluded = (column: PgColumn) => sql.raw(`excluded."${column.name}"`);

export async function writeSubscriptionItems(
  tx: Transaction,
  items: SubscriptionItemSnapshot[],
): Promise<void> {
  for (const organizationId of new Set(items.map((i) => i.organizationId))) {
    const rows = items.filter((i) => i.organizationId === organizationId);
    // As for memberships: a placeholder row to lock, so that a concurrent deletion of the
    // organization either commits first (and is seen here) or waits for this write.
    await tx.insert(organizations).values({ id: organizationId }).onConflictDoNothing();
    const [org] = await tx
      .select({ deletedAt: organizations.deletedAt })
      .from(organizations)
      .where(eq(organizations.id, organizationId))
      .for("share");
    if (org?.deletedAt) continue;
    const t = subscriptionItems;
    await tx
      .insert(t)
      .values(
        rows.map((i) => ({
          id: i.id,
          subscriptionId: i.subscriptionId,
          organizationId: i.organizationId,
          planSlug: i.planSlug,
          planName: i.planName,
          interval: i.interval,
          status: i.status,
          periodStart: i.periodStart,
          periodEnd: i.periodEnd,
          clerkUpdatedAt: i.updatedAt,
        })),
      )
      .onConflictDoUpdate({
        target: t.id,
        set: {
          planSlug: excluded(t.planSlug),
          planName: excluded(t.planName),
          interval: excluded(t.interval),
          status: excluded(t.status),
          periodStart: excluded(t.periodStart),
          periodEnd: excluded(t.periodEnd),
          clerkUpdatedAt: excluded(t.clerkUpdatedAt),
          updatedAt: sql`now()`,
        },
        setWhere: sql`${t.clerkUpdatedAt} <= ${excluded(t.clerkUpdatedAt)}`,
      });
  }
}

// An organization's subscription as the Backend API has it now (reconciliation), with Clerk's
// `updated_at` of the subscription: its items are written as the webhooks' are, and the
// organization's other items, which the subscription no longer lists (Clerk drops ended items from
// it), are stored as ended, as their `subscriptionItem.ended` would have. An ended row keeps the
// subscription's time, so a late event from before it cannot bring the item back; a row a webhook
// wrote after the subscription was read (a newer item) is left as it is. Returns how many items
// were ended.
export async function replaceSubscriptionItems(
  tx: Transaction,
  organizationId: string,
  subscriptionUpdatedAt: Date,
  items: SubscriptionItemSnapshot[],
): Promise<number> {
  await writeSubscriptionItems(tx, items);
  const t = subscriptionItems;
  const ended = await tx
    .update(t)
    .set({ status: "ended", clerkUpdatedAt: subscriptionUpdatedAt, updatedAt: sql`now()` })
    .where(
      and(
        eq(t.organizationId, organizationId),
        ne(t.status, "ended"),
        lte(t.clerkUpdatedAt, subscriptionUpdatedAt),
        items.length > 0
          ? notInArray(
              t.id,
              items.map((i) => i.id),
            )
          : undefined,
      ),
    )
    .returning({ id: t.id });
  return ended.length;
}

// Deleting an organization deletes its subscription rows (Clerk keeps its own billing records).
export async function deleteSubscriptionItems(
  tx: Transaction,
  organizationId: string,
): Promise<void> {
  await tx.delete(subscriptionItems).where(eq(subscriptionItems.organizationId, organizationId));
}
