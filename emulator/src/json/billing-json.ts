import type { Core } from "../core";
import type {
  BillingFeatureRecord,
  BillingPayerRecord,
  BillingPaymentMethodRecord,
  BillingPlanRecord,
  CheckoutRecord,
  PaymentAttemptRecord,
  StatementRecord,
  SubscriptionItemRecord,
  SubscriptionRecord,
} from "../store/records";

// Clerk Billing's JSON (API version 2025-11-10: `/billing/` paths, `payment_method`), shared by the
// Frontend and Backend APIs where their schemas agree (fapi/bapi-2026-05-12.yml `BillingPlan`,
// `CommercePlan`, ...), and the payloads of the billing webhooks. Amounts are cents in USD.

// Where Clerk's charges go: its Stripe account, which offline is nobody's.
const GATEWAY_ACCOUNT = "acct_emulator";

export function moneyJSON(cents: number) {
  return {
    amount: cents,
    amount_formatted: (cents / 100).toFixed(2),
    currency: "USD",
    currency_symbol: "$",
  };
}

function featureJSON(f: BillingFeatureRecord) {
  return {
    object: "feature",
    id: f.id,
    name: f.name,
    description: f.description,
    slug: f.key,
    avatar_url: null,
  };
}

export function planJSON(plan: BillingPlanRecord) {
  return {
    object: "commerce_plan",
    id: plan.id,
    name: plan.name,
    fee: moneyJSON(plan.monthlyFee),
    annual_monthly_fee: moneyJSON(plan.annualMonthlyFee),
    annual_fee: moneyJSON(plan.annualMonthlyFee * 12),
    description: plan.description,
    product_id: "prod_emulator_organizations",
    is_default: plan.isDefault,
    is_recurring: true,
    publicly_visible: true,
    has_base_fee: plan.monthlyFee > 0,
    for_payer_type: "org",
    slug: plan.key,
    avatar_url: null,
    features: plan.features.map(featureJSON),
    free_trial_enabled: false,
    free_trial_days: null,
    // The seat limit, as Clerk describes a plan with a fixed number of free seats.
    unit_prices: [
      {
        name: "seats",
        block_size: 1,
        tiers: [{ starts_at_block: 1, ends_after_block: plan.seats, fee_per_block: moneyJSON(0) }],
      },
    ],
  };
}

export function paymentMethodJSON(pm: BillingPaymentMethodRecord) {
  return {
    object: "commerce_payment_method",
    id: pm.id,
    payer_id: pm.payerId,
    payment_type: "card",
    is_default: pm.isDefault,
    gateway: "stripe",
    gateway_external_id: `pm_emulator_${pm.id}`,
    gateway_external_account_id: GATEWAY_ACCOUNT,
    last4: pm.last4,
    status: "active",
    wallet_type: null,
    card_type: pm.cardType,
    expiry_year: pm.expiryYear,
    expiry_month: pm.expiryMonth,
    created_at: pm.createdAt,
    updated_at: pm.updatedAt,
    is_removable: true,
  };
}

export function payerJSON(core: Core, payer: BillingPayerRecord) {
  const org = core.store.state.organizations[payer.organizationId];
  return {
    object: "commerce_payer",
    id: payer.id,
    instance_id: core.store.state.instanceId,
    user_id: null,
    organization_id: payer.organizationId,
    organization_name: org?.name ?? null,
    created_at: payer.createdAt,
    updated_at: payer.updatedAt,
  };
}

function planOf(core: Core, planId: string): BillingPlanRecord {
  const plan = core.store.state.billingPlans[planId];
  if (!plan) throw new Error(`emulator state: no billing plan ${planId}`);
  return plan;
}

function periodCents(plan: BillingPlanRecord, period: "month" | "annual") {
  return period === "annual" ? plan.annualMonthlyFee * 12 : plan.monthlyFee;
}

// The item as both APIs list it; `frontend` adds the fields only the Frontend API's schema has.
export function subscriptionItemJSON(
  core: Core,
  subscription: SubscriptionRecord,
  item: SubscriptionItemRecord,
  frontend: boolean,
) {
  const plan = planOf(core, item.planId);
  const payer = core.store.state.billingPayers[subscription.payerId] as BillingPayerRecord;
  const pm = item.paymentMethodId
    ? core.store.state.billingPaymentMethods[item.paymentMethodId]
    : undefined;
  const paid = core.store
    .lookup("paymentAttempts", "payer", payer.id)
    .filter((a) => a.subscriptionItemId === item.id && a.status === "paid")
    .reduce((sum, a) => sum + a.amount, 0);
  const fee = periodCents(plan, item.planPeriod);
  const renews = item.status === "active" && item.periodEnd !== null && fee > 0;
  return {
    object: "commerce_subscription_item",
    id: item.id,
    instance_id: core.store.state.instanceId,
    status: item.status,
    plan_id: plan.id,
    plan: planJSON(plan),
    plan_period: item.planPeriod,
    ...(pm ? { payment_method: paymentMethodJSON(pm) } : {}),
    lifetime_paid: moneyJSON(paid),
    next_payment: renews ? { amount: moneyJSON(fee), date: item.periodEnd } : null,
    payer_id: payer.id,
    payer: payerJSON(core, payer),
    is_free_trial: false,
    period_start: item.periodStart,
    period_end: item.periodEnd,
    canceled_at: item.canceledAt,
    past_due_at: null,
    ended_at: item.endedAt,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    ...(frontend ? { amount: moneyJSON(fee), ...(pm ? { payment_method_id: pm.id } : {}) } : {}),
  };
}

export function subscriptionJSON(core: Core, subscription: SubscriptionRecord, frontend: boolean) {
  const items = subscription.items.filter((i) => i.status !== "ended");
  const renewing = items.find((i) => i.status === "active" && i.periodEnd !== null);
  const renewingFee = renewing
    ? periodCents(planOf(core, renewing.planId), renewing.planPeriod)
    : 0;
  return {
    object: "commerce_subscription",
    id: subscription.id,
    instance_id: core.store.state.instanceId,
    status: "active",
    payer_id: subscription.payerId,
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
    active_at: subscription.activeAt,
    past_due_at: null,
    subscription_items: items.map((i) => subscriptionItemJSON(core, subscription, i, frontend)),
    ...(renewing && renewingFee > 0
      ? { next_payment: { date: renewing.periodEnd, amount: moneyJSON(renewingFee) } }
      : {}),
    eligible_for_free_trial: false,
  };
}

export function checkoutJSON(
  core: Core,
  checkout: CheckoutRecord,
  preview: { immediate: boolean; startsAt: number; dueNow: number },
) {
  const plan = planOf(core, checkout.planId);
  const payer = core.store.state.billingPayers[checkout.payerId] as BillingPayerRecord;
  const pm = checkout.paymentMethodId
    ? core.store.state.billingPaymentMethods[checkout.paymentMethodId]
    : undefined;
  const perPeriod = periodCents(plan, checkout.planPeriod);
  const subscription = Object.values(core.store.state.subscriptions).find(
    (s) => s.payerId === payer.id,
  );
  const item =
    checkout.subscriptionItemId && subscription
      ? subscription.items.find((i) => i.id === checkout.subscriptionItemId)
      : undefined;
  return {
    object: "commerce_checkout",
    id: checkout.id,
    plan: planJSON(plan),
    plan_period: checkout.planPeriod,
    payer: payerJSON(core, payer),
    ...(pm ? { payment_method: paymentMethodJSON(pm) } : {}),
    external_gateway_id: GATEWAY_ACCOUNT,
    status: checkout.status,
    totals: {
      subtotal: moneyJSON(perPeriod),
      base_fee: moneyJSON(
        plan.monthlyFee > 0
          ? checkout.planPeriod === "annual"
            ? plan.annualMonthlyFee
            : plan.monthlyFee
          : 0,
      ),
      tax_total: moneyJSON(0),
      grand_total: moneyJSON(perPeriod),
      total_due_after_free_trial: null,
      total_due_now: moneyJSON(preview.dueNow),
      total_due_per_period: moneyJSON(perPeriod),
      past_due: null,
      credit: null,
      credits: null,
      discounts: null,
    },
    ...(item && subscription
      ? { subscription_item: subscriptionItemJSON(core, subscription, item, true) }
      : {}),
    plan_period_start: preview.startsAt,
    is_immediate_plan_change: preview.immediate,
    // The drawer offers the payer's cards when a charge is due now.
    needs_payment_method: preview.dueNow > 0,
  };
}

const payeeJSON = () => ({
  object: "commerce_payee",
  id: "cpayee_emulator",
  gateway_type: "stripe",
  gateway_external_id: GATEWAY_ACCOUNT,
  gateway_status: "active",
});

export function paymentAttemptJSON(core: Core, attempt: PaymentAttemptRecord, frontend: boolean) {
  const payer = core.store.state.billingPayers[attempt.payerId] as BillingPayerRecord;
  const subscription = Object.values(core.store.state.subscriptions).find(
    (s) => s.payerId === payer.id,
  );
  const item = subscription?.items.find((i) => i.id === attempt.subscriptionItemId);
  const pm = core.store.state.billingPaymentMethods[attempt.paymentMethodId];
  return {
    object: "commerce_payment",
    id: attempt.id,
    payment_id: attempt.id,
    instance_id: core.store.state.instanceId,
    charge_type: attempt.chargeType,
    payee_id: "cpayee_emulator",
    payee: payeeJSON(),
    payer_id: payer.id,
    payer: payerJSON(core, payer),
    subscription_item_id: attempt.subscriptionItemId,
    subscription_item:
      item && subscription ? subscriptionItemJSON(core, subscription, item, frontend) : null,
    amount: moneyJSON(attempt.amount),
    payment_method_id: attempt.paymentMethodId,
    payment_method: pm ? paymentMethodJSON(pm) : null,
    statement_id: attempt.statementId,
    gateway_external_id: `pi_emulator_${attempt.id}`,
    gateway_external_url: null,
    status: attempt.status,
    paid_at: attempt.paidAt,
    failed_at: null,
    created_at: attempt.createdAt,
    updated_at: attempt.updatedAt,
  };
}

export function statementJSON(core: Core, statement: StatementRecord, frontend: boolean) {
  const payer = core.store.state.billingPayers[statement.payerId] as BillingPayerRecord;
  const attempts = core.store
    .lookup("paymentAttempts", "payer", payer.id)
    .filter((a) => a.statementId === statement.id)
    .sort((a, b) => b.createdAt - a.createdAt);
  const total = attempts.filter((a) => a.status === "paid").reduce((s, a) => s + a.amount, 0);
  const byDay = new Map<number, PaymentAttemptRecord[]>();
  for (const a of attempts) {
    const d = new Date(a.createdAt);
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    byDay.set(day, [...(byDay.get(day) ?? []), a]);
  }
  const monthEnd = new Date(statement.timestamp);
  monthEnd.setUTCMonth(monthEnd.getUTCMonth() + 1);
  return {
    object: "commerce_statement",
    instance_id: core.store.state.instanceId,
    id: statement.id,
    timestamp: statement.timestamp,
    payer: payerJSON(core, payer),
    status: core.now() >= monthEnd.getTime() ? "closed" : "open",
    totals: {
      subtotal: moneyJSON(total),
      base_fee: moneyJSON(total),
      tax_total: moneyJSON(0),
      grand_total: moneyJSON(total),
    },
    groups: [...byDay].map(([timestamp, items]) => ({
      object: "commerce_statement_group",
      timestamp,
      items: items.map((a) => paymentAttemptJSON(core, a, frontend)),
    })),
  };
}

// Webhook payloads (webhooks-2025-04-15.yml): the payer names a user, the member who acts for it.
function payerEventJSON(core: Core, payer: BillingPayerRecord) {
  const org = core.store.state.organizations[payer.organizationId];
  const user = payer.userId ? core.store.state.users[payer.userId] : undefined;
  const email = user?.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
  return {
    object: "commerce_payer",
    id: payer.id,
    user_id: payer.userId ?? "",
    first_name: user?.firstName ?? "",
    last_name: user?.lastName ?? "",
    email: email?.emailAddress ?? "",
    organization_id: payer.organizationId,
    organization_name: org?.name ?? "",
    image_url: "",
    created_at: payer.createdAt,
    updated_at: payer.updatedAt,
  };
}

function eventPlanJSON(plan: BillingPlanRecord, period: "month" | "annual") {
  return {
    id: plan.id,
    slug: plan.key,
    name: plan.name,
    is_recurring: true,
    amount: periodCents(plan, period),
    currency: "USD",
  };
}

export function subscriptionItemEventJSON(
  core: Core,
  subscription: SubscriptionRecord,
  item: SubscriptionItemRecord,
) {
  const payer = core.store.state.billingPayers[subscription.payerId] as BillingPayerRecord;
  return {
    object: "commerce_subscription_item",
    id: item.id,
    status: item.status,
    is_free_trial: false,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    period_start: item.periodStart,
    period_end: item.periodEnd,
    interval: item.planPeriod,
    plan_id: item.planId,
    plan: eventPlanJSON(planOf(core, item.planId), item.planPeriod),
    payer: payerEventJSON(core, payer),
    subscription_id: subscription.id,
  };
}

export function subscriptionEventJSON(core: Core, subscription: SubscriptionRecord) {
  const payer = core.store.state.billingPayers[subscription.payerId] as BillingPayerRecord;
  const active = subscription.items.find((i) => i.status === "active" || i.status === "canceled");
  return {
    object: "commerce_subscription",
    id: subscription.id,
    status: "active",
    active_at: subscription.activeAt,
    canceled_at: null,
    created_at: subscription.createdAt,
    ended_at: null,
    past_due_at: null,
    updated_at: subscription.updatedAt,
    latest_payment_id: subscription.latestPaymentId,
    payer_id: payer.id,
    payer: payerEventJSON(core, payer),
    payment_source_id: active?.paymentMethodId ?? null,
    items: subscription.items.map((i) => subscriptionItemEventJSON(core, subscription, i)),
  };
}

export function paymentAttemptEventJSON(core: Core, attempt: PaymentAttemptRecord) {
  const payer = core.store.state.billingPayers[attempt.payerId] as BillingPayerRecord;
  const subscription = Object.values(core.store.state.subscriptions).find(
    (s) => s.payerId === payer.id,
  );
  const item = subscription?.items.find((i) => i.id === attempt.subscriptionItemId);
  const pm = core.store.state.billingPaymentMethods[attempt.paymentMethodId];
  const amount = moneyJSON(attempt.amount);
  return {
    id: attempt.id,
    instance_id: core.store.state.instanceId,
    payment_id: attempt.id,
    invoice_id: attempt.statementId,
    statement_id: attempt.statementId,
    gateway_external_id: `pi_emulator_${attempt.id}`,
    status: attempt.status,
    created_at: attempt.createdAt,
    updated_at: attempt.updatedAt,
    paid_at: attempt.paidAt,
    failed_at: null,
    failed_reason: null,
    billing_date: attempt.createdAt,
    charge_type: attempt.chargeType,
    payee: {
      id: "cpayee_emulator",
      gateway_type: "stripe",
      gateway_external_id: GATEWAY_ACCOUNT,
      gateway_status: "active",
    },
    payer: payerEventJSON(core, payer),
    totals: { subtotal: amount, tax_total: moneyJSON(0), grand_total: amount },
    payment_source: {
      id: attempt.paymentMethodId,
      gateway: "stripe",
      gateway_external_id: `pm_emulator_${attempt.paymentMethodId}`,
      gateway_external_account_id: GATEWAY_ACCOUNT,
      payment_method: "card",
      status: "active",
      card_type: pm?.cardType ?? null,
      last4: pm?.last4 ?? null,
    },
    subscription_items:
      item && subscription
        ? [
            {
              id: item.id,
              object: "commerce_subscription_item",
              status: item.status,
              created_at: item.createdAt,
              updated_at: item.updatedAt,
              period_start: item.periodStart,
              period_end: item.periodEnd ?? item.periodStart,
              interval: item.planPeriod,
              plan_id: item.planId,
              plan: eventPlanJSON(planOf(core, item.planId), item.planPeriod),
              payer: payerEventJSON(core, payer),
              subscription_id: subscription.id,
            },
          ]
        : [],
  };
}
