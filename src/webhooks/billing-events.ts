import { z } from "zod";
import { storableText, storableTimestamp } from "./storable";

// Clerk Billing's webhook payloads (subscription.*, subscriptionItem.*, paymentAttempt.*) and its
// Backend API subscription, reduced to what the app keeps: for each subscription item, which
// organization it is for, its plan, status and period, and Clerk's `updated_at`, which orders the
// writes (emulator/openapi/webhooks-2025-04-15.yml, `SubscriptionEventPayload`,
// `BillingSubscriptionItemEventPayload`, `PaymentAttemptEventPayload`). Plans are the
// organizations' here: an item paid by a user (no `organization_id`) is left out.

// Strings and timestamps as the database can store them (src/webhooks/storable.ts).
const text = storableText;
const ms = storableTimestamp;
const id = text.pipe(z.string().min(1));
// Clerk fills the payer's `organization_id` for organization payers only ("" or absent otherwise).
const organizationIdOf = (payer: { organization_id?: string | null | undefined } | null) =>
  payer?.organization_id || null;

const Payer = z.object({ organization_id: text.nullish() }).nullish();

const Plan = z.object({ slug: text, name: text, amount: z.number().int().optional() }).nullish();

// One item as the webhooks send it. Inside a subscription event, Clerk leaves the item's `payer`
// and `subscription_id` null: the subscription's own are used.
const ItemEventJson = z.object({
  id,
  status: text,
  interval: text,
  plan: Plan,
  period_start: ms,
  period_end: ms.nullable(),
  updated_at: ms,
  payer: Payer,
  subscription_id: text.nullish(),
});

export type SubscriptionItemSnapshot = {
  id: string;
  subscriptionId: string;
  organizationId: string;
  planSlug: string | null;
  planName: string | null;
  interval: string;
  status: string;
  periodStart: Date;
  periodEnd: Date | null;
  updatedAt: Date;
};

type ItemJson = z.output<typeof ItemEventJson>;

function snapshotOf(
  item: ItemJson,
  parent: { subscriptionId: string | null; organizationId: string | null },
): SubscriptionItemSnapshot | null {
  const organizationId = organizationIdOf(item.payer ?? null) ?? parent.organizationId;
  const subscriptionId = item.subscription_id || parent.subscriptionId;
  if (!organizationId || !subscriptionId) return null;
  return {
    id: item.id,
    subscriptionId,
    organizationId,
    planSlug: item.plan?.slug ?? null,
    planName: item.plan?.name ?? null,
    interval: item.interval,
    status: item.status,
    periodStart: item.period_start,
    periodEnd: item.period_end,
    updatedAt: item.updated_at,
  };
}

// subscription.created / updated / active / pastDue: the subscription with all its items.
export const SubscriptionEventJson = z
  .object({ id, payer: Payer, items: z.array(ItemEventJson) })
  .transform((s) => {
    const parent = { subscriptionId: s.id, organizationId: organizationIdOf(s.payer ?? null) };
    return s.items.flatMap((i) => snapshotOf(i, parent) ?? []);
  });

// subscriptionItem.*: one item, with its payer and subscription.
export const SubscriptionItemEventJson = ItemEventJson.transform((i) =>
  snapshotOf(i, { subscriptionId: null, organizationId: null }),
);

export type PaymentSnapshot = {
  id: string;
  organizationId: string;
  status: string;
  // "29.00 USD"
  amount: string;
  chargeType: string;
  card: string | null;
  planName: string | null;
  failedReason: string | null;
  updatedAt: Date;
};

// paymentAttempt.created / updated.
export const PaymentAttemptEventJson = z
  .object({
    id,
    status: text,
    charge_type: text,
    updated_at: ms,
    failed_reason: z.object({ code: text, decline_code: text.nullish() }).nullish(),
    payer: Payer,
    totals: z.object({
      grand_total: z.object({ amount_formatted: text, currency: text }),
    }),
    payment_source: z.object({ card_type: text.nullish(), last4: text.nullish() }).nullish(),
    subscription_items: z.array(z.object({ plan: Plan })).nullish(),
  })
  .transform((p): PaymentSnapshot | null => {
    const organizationId = organizationIdOf(p.payer ?? null);
    if (!organizationId) return null;
    const card = p.payment_source?.last4
      ? `${p.payment_source.card_type ?? "card"} ${p.payment_source.last4}`
      : null;
    return {
      id: p.id,
      organizationId,
      status: p.status,
      amount: `${p.totals.grand_total.amount_formatted} ${p.totals.grand_total.currency}`,
      chargeType: p.charge_type,
      card,
      planName: p.subscription_items?.[0]?.plan?.name ?? null,
      failedReason: p.failed_reason
        ? [p.failed_reason.code, p.failed_reason.decline_code].filter(Boolean).join(": ")
        : null,
      updatedAt: p.updated_at,
    };
  });

// The Backend API's subscription of an organization (`clerkClient.billing
// .getOrganizationBillingSubscription`), for an organization the webhooks have not told about yet,
// and for reconciliation.
export type BackendSubscription = {
  id: string;
  updatedAt: number;
  subscriptionItems: {
    id: string;
    status: string;
    planPeriod: string;
    periodStart: number;
    periodEnd: number | null;
    updatedAt: number;
    plan: { slug: string; name: string } | null;
  }[];
};

export function snapshotsOfBackendSubscription(
  organizationId: string,
  subscription: BackendSubscription,
): SubscriptionItemSnapshot[] {
  return subscription.subscriptionItems.map((i) => ({
    id: i.id,
    subscriptionId: subscription.id,
    organizationId,
    planSlug: i.plan?.slug ?? null,
    planName: i.plan?.name ?? null,
    interval: i.planPeriod,
    status: i.status,
    periodStart: new Date(i.periodStart),
    periodEnd: i.periodEnd === null ? null : new Date(i.periodEnd),
    updatedAt: new Date(i.updatedAt),
  }));
}
