import { z } from "zod";
import type { Core } from "../core";
import {
  addPaymentMethod,
  billingPlans,
  cancelSubscriptionItem,
  confirmCheckout,
  ensureSubscription,
  getCheckout,
  getPaymentMethod,
  getPlan,
  makeDefaultPaymentMethod,
  paymentMethodsOfPayer,
  previewCheckout,
  removePaymentMethod,
  startCheckout,
} from "../domain/billing";
import { findMembership } from "../domain/memberships";
import { getOrganization, syncSeats } from "../domain/organizations";
import { parseParams } from "../domain/params";
import { permissionKeysOf } from "../domain/roles";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import {
  checkoutJSON,
  moneyJSON,
  paymentAttemptJSON,
  paymentMethodJSON,
  planJSON,
  statementJSON,
  subscriptionItemJSON,
  subscriptionJSON,
} from "../json/billing-json";
import { currentSession, type FapiCtx, fapiCtx } from "./context";
import { withClient } from "./envelope";
import { paginated } from "./me-routes";

// Clerk Billing's Frontend API for organizations (`/v1/organizations/:id/billing/*`, API version
// 2025-11-10), as clerk-js's BillingNamespace and Organization resource call it for
// <PricingTable for="organization"/>, the checkout drawer and <OrganizationProfile/>'s Billing
// page. Reading needs org:sys_billing:read, changing org:sys_billing:manage. Users are no payers
// here (user billing is off in the environment).

const READ = "org:sys_billing:read";
const MANAGE = "org:sys_billing:manage";

const Period = z.enum(["month", "annual"]);
const CheckoutBody = z.object({
  plan_id: z.string().min(1),
  plan_period: Period.default("month"),
  payment_method_id: z.string().min(1).optional(),
});
const ConfirmBody = z.object({
  payment_method_id: z.string().min(1).optional(),
  gateway: z.string().optional(),
  payment_token: z.string().min(1).optional(),
  use_test_card: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});
const PromoBody = z.object({ promo_code: z.string().optional() });
const PaymentMethodBody = z.object({ payment_token: z.string().min(1), gateway: z.string() });
const DefaultBody = z.object({ payment_method_id: z.string().min(1) });

function billingAccess(f: FapiCtx, req: RequestInfo, orgId: string, permission: string) {
  const session = currentSession(f, req);
  const org = getOrganization(f.core, orgId);
  const membership = findMembership(f.core, org.id, session.userId);
  if (!membership) throw errors.notFound("organization");
  if (!permissionKeysOf(f.core, membership.role).includes(permission)) {
    throw errors.notAllowed(`This needs the ${permission} permission.`);
  }
  return { session, org, ...ensureSubscription(f, org.id, session.userId) };
}

export function registerFapiBillingRoutes(router: Router, core: Core) {
  const org = (
    method: string,
    path: string,
    permission: string,
    handler: (
      f: FapiCtx,
      access: ReturnType<typeof billingAccess>,
      req: RequestInfo,
      p: Record<string, string>,
    ) => ReturnType<Parameters<Router["add"]>[2]>,
  ) =>
    router.add(
      method,
      `/v1/organizations/:id/billing${path}`,
      (req, p) => {
        const f = fapiCtx(core, req);
        return handler(f, billingAccess(f, req, p.id as string, permission), req, p);
      },
      "frontend",
    );

  // Plans are public: the pricing table shows them to anyone.
  router
    .add(
      "GET",
      "/v1/billing/plans",
      (req) => {
        const payerType = req.query.get("payer_type");
        const plans = payerType === "user" ? [] : billingPlans(core).map(planJSON);
        return { status: 200, json: { data: plans, total_count: plans.length } };
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/billing/plans/:plan",
      (_req, p) => ({ status: 200, json: planJSON(getPlan(core, p.plan as string, "plan")) }),
      "frontend",
    );

  org("GET", "/subscription", READ, (f, { subscription }) =>
    withClient(f, subscriptionJSON(core, subscription, true)),
  );
  org("GET", "/subscription_items", READ, (f, { subscription }, req) =>
    withClient(
      f,
      paginated(
        subscription.items.map((i) => subscriptionItemJSON(core, subscription, i, true)),
        req,
      ),
    ),
  );
  org("DELETE", "/subscription_items/:item", MANAGE, (f, { subscription }, _req, p) => {
    const item = subscription.items.find((i) => i.id === p.item);
    if (!item) throw errors.notFound("subscription item");
    const canceled = cancelSubscriptionItem(f, subscription, item, false, syncSeats);
    return withClient(f, subscriptionItemJSON(core, subscription, canceled, true));
  });

  org("POST", "/checkouts", MANAGE, (f, { org: o, session }, req) => {
    const body = parseParams(CheckoutBody, req.body);
    const checkout = startCheckout(
      f,
      o.id,
      session.userId,
      body.plan_id,
      body.plan_period,
      body.payment_method_id ?? null,
    );
    return withClient(f, checkoutJSON(core, checkout, previewCheckout(core, checkout)));
  });
  org("GET", "/checkouts/:checkout", MANAGE, (f, { payer }, _req, p) => {
    const checkout = getCheckout(core, payer, p.checkout as string);
    return withClient(f, checkoutJSON(core, checkout, previewCheckout(core, checkout)));
  });
  // Promo codes: the instance has none, so only clearing one succeeds.
  org("PATCH", "/checkouts/:checkout", MANAGE, (f, { payer }, req, p) => {
    const checkout = getCheckout(core, payer, p.checkout as string);
    const { promo_code } = parseParams(PromoBody, req.body);
    if (promo_code?.trim()) {
      throw errors.paramInvalid("promo_code", "is not a promo code of this instance");
    }
    return withClient(f, checkoutJSON(core, checkout, previewCheckout(core, checkout)));
  });
  org("PATCH", "/checkouts/:checkout/confirm", MANAGE, (f, { payer }, req, p) => {
    const checkout = getCheckout(core, payer, p.checkout as string);
    const body = parseParams(ConfirmBody, req.body ?? {});
    // What it looked like before confirming: the drawer's "complete" screen shows those totals.
    const preview = previewCheckout(core, checkout);
    confirmCheckout(
      f,
      checkout,
      {
        paymentMethodId: body.payment_method_id,
        useTestCard: body.use_test_card,
        gateway: body.gateway,
        paymentToken: body.payment_token,
      },
      syncSeats,
    );
    return withClient(f, checkoutJSON(core, checkout, preview));
  });

  org("GET", "/payment_methods", READ, (f, { payer }, req) =>
    withClient(f, paginated(paymentMethodsOfPayer(core, payer.id).map(paymentMethodJSON), req)),
  );
  org("POST", "/payment_methods", MANAGE, (f, { payer }, req) => {
    const body = parseParams(PaymentMethodBody, req.body);
    return withClient(
      f,
      paymentMethodJSON(addPaymentMethod(core, payer, body.gateway, body.payment_token)),
    );
  });
  // Stripe's SetupIntent for its card form: offline, a secret no Stripe will ever accept.
  org("POST", "/payment_methods/initialize", MANAGE, (f, { payer }) =>
    withClient(f, {
      object: "commerce_payment_method_initialize",
      external_client_secret: `seti_emulator_${payer.id}_secret_offline`,
      external_gateway_id: "acct_emulator",
      payment_method_order: ["card"],
    }),
  );
  org("DELETE", "/payment_methods/:pm", MANAGE, (f, { payer }, _req, p) => {
    const pm = getPaymentMethod(core, payer, p.pm as string);
    removePaymentMethod(core, pm);
    return withClient(f, { object: "commerce_payment_method", id: pm.id, deleted: true });
  });
  org("PUT", "/payers/default_payment_method", MANAGE, (f, { payer }, req) => {
    const body = parseParams(DefaultBody, req.body);
    const pm = getPaymentMethod(core, payer, body.payment_method_id);
    makeDefaultPaymentMethod(core, pm);
    return withClient(f, paymentMethodJSON(pm));
  });

  org("GET", "/statements", READ, (f, { payer }, req) =>
    withClient(
      f,
      paginated(
        core.store
          .lookup("statements", "payer", payer.id)
          .sort((a, b) => b.timestamp - a.timestamp)
          .map((s) => statementJSON(core, s, true)),
        req,
      ),
    ),
  );
  org("GET", "/statements/:statement", READ, (f, { payer }, _req, p) => {
    const statement = core.store.state.statements[p.statement as string];
    if (!statement || statement.payerId !== payer.id) throw errors.notFound("statement");
    return withClient(f, statementJSON(core, statement, true));
  });
  // clerk-js reads these two answers as they are, not under `response` (see emulator/README.md).
  org("GET", "/payment_attempts", READ, (_f, { payer }, req) => {
    const attempts = core.store
      .lookup("paymentAttempts", "payer", payer.id)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((a) => paymentAttemptJSON(core, a, true));
    const page = paginated(attempts, req);
    return { status: 200, json: page };
  });
  org("GET", "/payment_attempts/:attempt", READ, (_f, { payer }, _req, p) => {
    const attempt = core.store.state.paymentAttempts[p.attempt as string];
    if (!attempt || attempt.payerId !== payer.id) throw errors.notFound("payment attempt");
    return { status: 200, json: paymentAttemptJSON(core, attempt, true) };
  });
  // Account credits: none offline.
  org("GET", "/credits", READ, (f) =>
    withClient(f, { object: "commerce_credit_balance", balance: moneyJSON(0) }),
  );
}
