import type { BillingPlansDeclaration } from "../../../clerk/billing-plans";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import {
  paymentAttemptEventJSON,
  subscriptionEventJSON,
  subscriptionItemEventJSON,
} from "../json/billing-json";
import { newId } from "../store/ids";
import type {
  BillingPayerRecord,
  BillingPaymentMethodRecord,
  BillingPlanPeriod,
  BillingPlanRecord,
  CheckoutRecord,
  OrganizationRecord,
  PaymentAttemptRecord,
  StatementRecord,
  SubscriptionItemRecord,
  SubscriptionRecord,
} from "../store/records";

// Clerk Billing for organizations, offline. Every organization is a payer on its instance's
// default (free) plan from its creation; a checkout moves it to another plan. What Clerk does with
// Stripe is done here with a test card each payer is given (Stripe's test Visa, 4242): charges
// always succeed, nothing is prorated, and time only moves when asked (`endPeriod`, the
// emulator's stand-in for a billing period passing). Each change emits Clerk's billing webhooks
// and sets the organization's member limit to the plan's seats.

export function seedBillingPlans(core: Core, declaration: BillingPlansDeclaration) {
  if (Object.keys(core.store.state.billingPlans).length > 0) return;
  const now = core.now();
  const features = new Map(
    declaration.features.map((f) => [f.key, { id: newId("feat"), ...f }] as const),
  );
  for (const p of declaration.organization_plans) {
    core.store.put("billingPlans", {
      id: newId("cplan"),
      key: p.key,
      name: p.name,
      description: p.description,
      isDefault: p.default,
      monthlyFee: p.monthly_fee,
      annualMonthlyFee: p.annual_monthly_fee,
      seats: p.seats,
      features: p.features.flatMap((key) => {
        const f = features.get(key);
        return f ? [f] : [];
      }),
      createdAt: now,
    });
  }
}

export function billingPlans(core: Core): BillingPlanRecord[] {
  return Object.values(core.store.state.billingPlans);
}

export function getPlan(core: Core, idOrSlug: string, param = "plan_id"): BillingPlanRecord {
  const plan = billingPlans(core).find((p) => p.id === idOrSlug || p.key === idOrSlug);
  if (!plan) throw errors.notFound(param === "plan_id" ? "plan" : param);
  return plan;
}

function defaultPlan(core: Core): BillingPlanRecord {
  const plan = billingPlans(core).find((p) => p.isDefault);
  if (!plan) throw new Error("emulator state: no default billing plan");
  return plan;
}

const isFree = (plan: BillingPlanRecord) => plan.monthlyFee === 0 && plan.annualMonthlyFee === 0;

// What one period of a plan costs, in cents.
export function periodFee(plan: BillingPlanRecord, period: BillingPlanPeriod): number {
  return period === "annual" ? plan.annualMonthlyFee * 12 : plan.monthlyFee;
}

function periodEnd(plan: BillingPlanRecord, period: BillingPlanPeriod, start: number) {
  if (isFree(plan)) return null;
  const end = new Date(start);
  if (period === "annual") end.setUTCFullYear(end.getUTCFullYear() + 1);
  else end.setUTCMonth(end.getUTCMonth() + 1);
  return end.getTime();
}

export function payerOfOrganization(core: Core, orgId: string): BillingPayerRecord | undefined {
  return core.store.lookup("billingPayers", "organization", orgId)[0];
}

export function subscriptionOfPayer(core: Core, payerId: string): SubscriptionRecord | undefined {
  return core.store.lookup("subscriptions", "payer", payerId)[0];
}

export function paymentMethodsOfPayer(core: Core, payerId: string): BillingPaymentMethodRecord[] {
  return core.store.lookup("billingPaymentMethods", "payer", payerId);
}

export function activeItem(sub: SubscriptionRecord): SubscriptionItemRecord | undefined {
  return sub.items.find((i) => i.status === "active" || i.status === "canceled");
}

// The plan an organization is on now (the default plan before it has a subscription): what
// session tokens carry in `pla`/`fea`. Reads only.
// An unknown organization (or "") is on the default plan.
export function currentPlanOf(core: Core, orgId: string): BillingPlanRecord {
  const payer = payerOfOrganization(core, orgId);
  const sub = payer && subscriptionOfPayer(core, payer.id);
  const item = sub && activeItem(sub);
  return (item && core.store.state.billingPlans[item.planId]) ?? defaultPlan(core);
}

// Stripe's test cards by the payment-method tokens Stripe's test mode names them with.
const TEST_CARDS: Record<string, { cardType: string; last4: string }> = {
  pm_card_visa: { cardType: "visa", last4: "4242" },
  pm_card_mastercard: { cardType: "mastercard", last4: "4444" },
  pm_card_amex: { cardType: "amex", last4: "8431" },
};

function addCard(
  core: Core,
  payer: BillingPayerRecord,
  card: { cardType: string; last4: string },
): BillingPaymentMethodRecord {
  const now = core.now();
  const first = paymentMethodsOfPayer(core, payer.id).length === 0;
  return core.store.put("billingPaymentMethods", {
    id: newId("cpm"),
    payerId: payer.id,
    ...card,
    expiryMonth: 12,
    expiryYear: new Date(now).getUTCFullYear() + 5,
    isDefault: first,
    createdAt: now,
    updatedAt: now,
  });
}

// A payment method from a Stripe payment token. Offline nothing can ask Stripe what a token
// stands for, so only Stripe's test-mode tokens are accepted.
export function addPaymentMethod(
  core: Core,
  payer: BillingPayerRecord,
  gateway: string,
  token: string,
): BillingPaymentMethodRecord {
  if (gateway !== "stripe") throw errors.paramInvalid("gateway", "must be stripe");
  const card = TEST_CARDS[token];
  if (!card) {
    throw errors.paramInvalid(
      "payment_token",
      `is not one of Stripe's test tokens the emulator knows (${Object.keys(TEST_CARDS).join(", ")}); a real card needs Stripe`,
    );
  }
  return addCard(core, payer, card);
}

export function getPaymentMethod(core: Core, payer: BillingPayerRecord, id: string) {
  const pm = core.store.state.billingPaymentMethods[id];
  if (!pm || pm.payerId !== payer.id) throw errors.notFound("payment method");
  return pm;
}

export function makeDefaultPaymentMethod(core: Core, pm: BillingPaymentMethodRecord) {
  for (const other of paymentMethodsOfPayer(core, pm.payerId)) {
    other.isDefault = other.id === pm.id;
    other.updatedAt = core.now();
  }
  core.store.save();
}

export function removePaymentMethod(core: Core, pm: BillingPaymentMethodRecord) {
  const sub = subscriptionOfPayer(core, pm.payerId);
  if (sub?.items.some((i) => i.paymentMethodId === pm.id && i.status !== "ended")) {
    throw errors.paramInvalid("payment_method_id", "pays for a subscription and cannot be removed");
  }
  core.store.remove("billingPaymentMethods", pm.id);
  const rest = paymentMethodsOfPayer(core, pm.payerId);
  if (pm.isDefault && rest[0]) makeDefaultPaymentMethod(core, rest[0]);
}

function newItem(
  core: Core,
  plan: BillingPlanRecord,
  period: BillingPlanPeriod,
  start: number,
  status: SubscriptionItemRecord["status"],
  paymentMethodId: string | null,
): SubscriptionItemRecord {
  const now = core.now();
  return {
    id: newId("csubi"),
    planId: plan.id,
    planPeriod: period,
    status,
    paymentMethodId,
    periodStart: start,
    periodEnd: periodEnd(plan, period, start),
    canceledAt: null,
    endedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

// An organization's payer and subscription, created on the default plan (with the test card) the
// first time anything asks: when the organization is created, or for one made before billing.
export function ensureSubscription(
  ctx: Ctx,
  orgId: string,
  userId: string | null = null,
): { payer: BillingPayerRecord; subscription: SubscriptionRecord } {
  const { core } = ctx;
  const now = core.now();
  let payer = payerOfOrganization(core, orgId);
  if (!payer) {
    const org = core.store.state.organizations[orgId];
    payer = core.store.put("billingPayers", {
      id: newId("cpayer"),
      organizationId: orgId,
      userId: userId ?? org?.createdBy ?? null,
      createdAt: now,
      updatedAt: now,
    });
    addCard(core, payer, { cardType: "visa", last4: "4242" });
  }
  if (payer.userId === null && userId) payer.userId = userId;
  const existing = subscriptionOfPayer(core, payer.id);
  if (existing) return { payer, subscription: existing };
  const item = newItem(core, defaultPlan(core), "month", now, "active", null);
  const subscription = core.store.put("subscriptions", {
    id: newId("csub"),
    payerId: payer.id,
    items: [item],
    activeAt: now,
    latestPaymentId: null,
    createdAt: now,
    updatedAt: now,
  });
  const json = subscriptionEventJSON(core, subscription);
  core.webhooks.emit(ctx, "subscription.created", json);
  core.webhooks.emit(ctx, "subscription.active", json);
  core.webhooks.emit(
    ctx,
    "subscriptionItem.active",
    subscriptionItemEventJSON(core, subscription, item),
  );
  return { payer, subscription };
}

function statementFor(core: Core, payer: BillingPayerRecord, at: number): StatementRecord {
  const d = new Date(at);
  const month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const found = core.store
    .lookup("statements", "payer", payer.id)
    .find((s) => s.timestamp === month);
  if (found) return found;
  return core.store.put("statements", {
    id: newId("stmt"),
    payerId: payer.id,
    timestamp: month,
    createdAt: at,
  });
}

// One period's charge, paid at once with the given card (test cards never decline).
function charge(
  ctx: Ctx,
  payer: BillingPayerRecord,
  subscription: SubscriptionRecord,
  item: SubscriptionItemRecord,
  chargeType: PaymentAttemptRecord["chargeType"],
): PaymentAttemptRecord | null {
  const { core } = ctx;
  const plan = core.store.state.billingPlans[item.planId];
  if (!plan || !item.paymentMethodId) return null;
  const amount = periodFee(plan, item.planPeriod);
  if (amount === 0) return null;
  const now = core.now();
  const attempt = core.store.put("paymentAttempts", {
    id: newId("cpay"),
    payerId: payer.id,
    subscriptionItemId: item.id,
    statementId: statementFor(core, payer, now).id,
    paymentMethodId: item.paymentMethodId,
    chargeType,
    amount,
    status: "pending",
    paidAt: null,
    createdAt: now,
    updatedAt: now,
  });
  core.webhooks.emit(ctx, "paymentAttempt.created", paymentAttemptEventJSON(core, attempt));
  attempt.status = "paid";
  attempt.paidAt = now;
  attempt.updatedAt = now + 1;
  subscription.latestPaymentId = attempt.id;
  core.store.save();
  core.webhooks.emit(ctx, "paymentAttempt.updated", paymentAttemptEventJSON(core, attempt));
  return attempt;
}

function setStatus(
  ctx: Ctx,
  subscription: SubscriptionRecord,
  item: SubscriptionItemRecord,
  status: SubscriptionItemRecord["status"],
) {
  const now = ctx.core.now();
  item.status = status;
  item.updatedAt = Math.max(now, item.updatedAt + 1);
  if (status === "canceled") item.canceledAt = now;
  if (status === "ended") item.endedAt = now;
  ctx.core.webhooks.emit(
    ctx,
    `subscriptionItem.${status}`,
    subscriptionItemEventJSON(ctx.core, subscription, item),
  );
}

// After items changed: the subscription is updated, ended items leave it, and the organization's
// member limit follows the plan in force (members already over it stay: only new ones are refused).
function settle(ctx: Ctx, subscription: SubscriptionRecord, onSeats: SeatsSync) {
  const { core } = ctx;
  subscription.items = subscription.items.filter((i) => i.status !== "ended");
  subscription.updatedAt = Math.max(core.now(), subscription.updatedAt + 1);
  core.store.save();
  core.webhooks.emit(ctx, "subscription.updated", subscriptionEventJSON(core, subscription));
  const payer = core.store.state.billingPayers[subscription.payerId];
  if (payer) onSeats(ctx, payer.organizationId, currentPlanOf(core, payer.organizationId).seats);
}

// How an organization's member limit is changed (domain/organizations.ts, which imports this
// module, passes its own update in).
export type SeatsSync = (ctx: Ctx, orgId: string, seats: number) => void;

export type CheckoutPreview = {
  immediate: boolean;
  // When the new plan starts: now, or when the current period ends.
  startsAt: number;
  dueNow: number;
};

// Upgrades (a dearer plan, or annual billing) start now and are charged in full; downgrades and
// free plans wait for the current period's end, as Clerk schedules them.
export function previewCheckout(core: Core, checkout: CheckoutRecord): CheckoutPreview {
  const plan = getPlan(core, checkout.planId);
  const payer = core.store.state.billingPayers[checkout.payerId];
  const subscription = payer && subscriptionOfPayer(core, payer.id);
  const current = subscription && activeItem(subscription);
  const currentPlan = current && core.store.state.billingPlans[current.planId];
  const now = core.now();
  const dearer =
    !current ||
    !currentPlan ||
    current.periodEnd === null ||
    periodFee(plan, checkout.planPeriod) / (checkout.planPeriod === "annual" ? 12 : 1) >
      periodFee(currentPlan, current.planPeriod) / (current.planPeriod === "annual" ? 12 : 1) ||
    (plan.id === currentPlan.id && checkout.planPeriod === "annual");
  const immediate = dearer && !isFree(plan);
  return {
    immediate,
    startsAt: immediate ? now : (current?.periodEnd ?? now),
    dueNow: immediate ? periodFee(plan, checkout.planPeriod) : 0,
  };
}

export function startCheckout(
  ctx: Ctx,
  orgId: string,
  userId: string,
  planIdOrSlug: string,
  planPeriod: BillingPlanPeriod,
  paymentMethodId: string | null,
): CheckoutRecord {
  const { core } = ctx;
  const plan = getPlan(core, planIdOrSlug);
  const { payer, subscription } = ensureSubscription(ctx, orgId, userId);
  const current = activeItem(subscription);
  const upcoming = subscription.items.find((i) => i.status === "upcoming");
  const inForce = upcoming ?? current;
  if (
    inForce &&
    inForce.planId === plan.id &&
    (isFree(plan) || inForce.planPeriod === planPeriod)
  ) {
    throw errors.paramInvalid("plan_id", "is the plan the organization is already on", 400);
  }
  if (paymentMethodId) getPaymentMethod(core, payer, paymentMethodId);
  const now = core.now();
  return core.store.put("checkouts", {
    id: newId("chk"),
    payerId: payer.id,
    planId: plan.id,
    planPeriod,
    status: "needs_confirmation",
    paymentMethodId,
    subscriptionItemId: null,
    createdAt: now,
    updatedAt: now,
  });
}

export function getCheckout(core: Core, payer: BillingPayerRecord, id: string): CheckoutRecord {
  const checkout = core.store.state.checkouts[id];
  if (!checkout || checkout.payerId !== payer.id) throw errors.notFound("checkout");
  return checkout;
}

export type ConfirmInput = {
  paymentMethodId?: string | undefined;
  useTestCard?: boolean | undefined;
  gateway?: string | undefined;
  paymentToken?: string | undefined;
};

export function confirmCheckout(
  ctx: Ctx,
  checkout: CheckoutRecord,
  input: ConfirmInput,
  onSeats: SeatsSync,
): CheckoutRecord {
  const { core } = ctx;
  if (checkout.status === "completed") {
    throw errors.paramInvalid("checkout", "has already been confirmed", 400);
  }
  const payer = core.store.state.billingPayers[checkout.payerId] as BillingPayerRecord;
  const { subscription } = ensureSubscription(ctx, payer.organizationId);
  const plan = getPlan(core, checkout.planId);
  const preview = previewCheckout(core, checkout);
  let pm: BillingPaymentMethodRecord | undefined;
  if (input.paymentMethodId) pm = getPaymentMethod(core, payer, input.paymentMethodId);
  else if (input.paymentToken) {
    pm = addPaymentMethod(core, payer, input.gateway ?? "", input.paymentToken);
  } else if (input.useTestCard || checkout.paymentMethodId) {
    pm = checkout.paymentMethodId
      ? getPaymentMethod(core, payer, checkout.paymentMethodId)
      : paymentMethodsOfPayer(core, payer.id).find((m) => m.last4 === "4242");
  }
  pm ??= paymentMethodsOfPayer(core, payer.id).find((m) => m.isDefault);
  if (!isFree(plan) && !pm) throw errors.paramMissing("payment_method_id");

  const current = activeItem(subscription);
  for (const upcoming of subscription.items.filter((i) => i.status === "upcoming")) {
    setStatus(ctx, subscription, upcoming, "ended");
  }
  const item = newItem(
    core,
    plan,
    checkout.planPeriod,
    preview.startsAt,
    preview.immediate ? "active" : "upcoming",
    isFree(plan) ? null : (pm?.id ?? null),
  );
  subscription.items.push(item);
  if (current) {
    if (preview.immediate) setStatus(ctx, subscription, current, "ended");
    else if (current.status !== "canceled") setStatus(ctx, subscription, current, "canceled");
  }
  core.webhooks.emit(
    ctx,
    `subscriptionItem.${item.status}`,
    subscriptionItemEventJSON(core, subscription, item),
  );
  if (preview.immediate) charge(ctx, payer, subscription, item, "checkout");
  checkout.status = "completed";
  checkout.paymentMethodId = pm?.id ?? null;
  checkout.subscriptionItemId = item.id;
  checkout.updatedAt = core.now();
  settle(ctx, subscription, onSeats);
  return checkout;
}

// Emulator only (its helper endpoint and seeds): what an admin's checkout paid with the
// organization's test card does, without a browser. An upgrade starts at once; a downgrade is
// scheduled for the period's end, as Clerk schedules it.
export function subscribeWithTestCard(
  ctx: Ctx,
  org: OrganizationRecord,
  planIdOrSlug: string,
  planPeriod: BillingPlanPeriod,
  onSeats: SeatsSync,
): SubscriptionRecord {
  const checkout = startCheckout(ctx, org.id, org.createdBy ?? "", planIdOrSlug, planPeriod, null);
  confirmCheckout(ctx, checkout, { useTestCard: true }, onSeats);
  return ensureSubscription(ctx, org.id).subscription;
}

export function findSubscriptionItem(core: Core, itemId: string) {
  for (const subscription of Object.values(core.store.state.subscriptions)) {
    const item = subscription.items.find((i) => i.id === itemId);
    if (item) return { subscription, item };
  }
  throw errors.notFound("subscription item");
}

// Canceling keeps the plan until its period ends, then the default plan takes over (at once with
// `endNow`, the Backend API's `end_now`). The default plan itself cannot be canceled.
export function cancelSubscriptionItem(
  ctx: Ctx,
  subscription: SubscriptionRecord,
  item: SubscriptionItemRecord,
  endNow: boolean,
  onSeats: SeatsSync,
): SubscriptionItemRecord {
  const { core } = ctx;
  const plan = core.store.state.billingPlans[item.planId];
  if (item.status === "ended" || (plan && isFree(plan) && item.status === "active")) {
    throw errors.paramInvalid("subscription_item_id", "cannot be canceled", 400);
  }
  const endsNow = item.status === "upcoming" || endNow;
  if (endsNow) {
    setStatus(ctx, subscription, item, "ended");
  } else if (item.status === "active") {
    setStatus(ctx, subscription, item, "canceled");
  }
  if (!subscription.items.some((i) => i.status === "upcoming" || i.status === "active")) {
    const now = core.now();
    // The default plan follows whatever stays in force (a canceled plan, until its period ends).
    const inForce = activeItem(subscription);
    const start = endNow ? now : (inForce?.periodEnd ?? (endsNow ? now : item.periodEnd) ?? now);
    const next = newItem(
      core,
      defaultPlan(core),
      "month",
      start,
      start > now ? "upcoming" : "active",
      null,
    );
    subscription.items.push(next);
    core.webhooks.emit(
      ctx,
      `subscriptionItem.${next.status}`,
      subscriptionItemEventJSON(core, subscription, next),
    );
  }
  const result = { ...item };
  settle(ctx, subscription, onSeats);
  return result;
}

// Emulator only: the organization's current billing period ends now. Canceled items end and what
// was scheduled starts; a plan still in force renews and is charged for its next period.
export function endBillingPeriod(ctx: Ctx, org: OrganizationRecord, onSeats: SeatsSync) {
  const { core } = ctx;
  const { payer, subscription } = ensureSubscription(ctx, org.id);
  const now = core.now();
  const current = activeItem(subscription);
  const upcoming = subscription.items.find((i) => i.status === "upcoming");
  if (current?.status === "canceled" || (current && upcoming)) {
    setStatus(ctx, subscription, current, "ended");
  } else if (current && current.periodEnd !== null) {
    const plan = getPlan(core, current.planId);
    current.periodStart = now;
    current.periodEnd = periodEnd(plan, current.planPeriod, now);
    current.updatedAt = now;
    charge(ctx, payer, subscription, current, "recurring");
  }
  if (upcoming) {
    const plan = getPlan(core, upcoming.planId);
    upcoming.periodStart = now;
    upcoming.periodEnd = periodEnd(plan, upcoming.planPeriod, now);
    setStatus(ctx, subscription, upcoming, "active");
  }
  settle(ctx, subscription, onSeats);
  return subscription;
}

// Deleting an organization deletes what it paid with and for (Clerk keeps its own records).
export function deleteBillingOf(core: Core, orgId: string) {
  const payer = payerOfOrganization(core, orgId);
  if (!payer) return;
  for (const s of core.store.lookup("subscriptions", "payer", payer.id)) {
    core.store.remove("subscriptions", s.id);
  }
  for (const m of paymentMethodsOfPayer(core, payer.id))
    core.store.remove("billingPaymentMethods", m.id);
  for (const a of core.store.lookup("paymentAttempts", "payer", payer.id)) {
    core.store.remove("paymentAttempts", a.id);
  }
  for (const s of core.store.lookup("statements", "payer", payer.id))
    core.store.remove("statements", s.id);
  for (const c of Object.values(core.store.state.checkouts).filter((c) => c.payerId === payer.id)) {
    core.store.remove("checkouts", c.id);
  }
  core.store.remove("billingPayers", payer.id);
}
