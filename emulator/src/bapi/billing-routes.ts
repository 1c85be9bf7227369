import { z } from "zod";
import type { Core } from "../core";
import {
  billingPlans,
  cancelSubscriptionItem,
  ensureSubscription,
  findSubscriptionItem,
  getPlan,
} from "../domain/billing";
import { getOrganization, syncSeats } from "../domain/organizations";
import { parseParams } from "../domain/params";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import {
  paymentAttemptJSON,
  planJSON,
  statementJSON,
  subscriptionItemJSON,
  subscriptionJSON,
} from "../json/billing-json";
import { ctxOf, json, paginate } from "./shared";

// Clerk Billing's Backend API (`/v1/billing/*`, API version 2025-11-10), as @clerk/backend's
// `billing` calls it: plans, an organization's subscription, subscription items (cancel), and
// statements with their payment attempts. Only organizations are payers here.

const ItemsQuery = z.object({
  status: z.enum(["active", "canceled", "ended", "upcoming"]).optional(),
  payer_type: z.enum(["user", "org"]).optional(),
  plan_id: z.string().optional(),
  include_free: z.enum(["true", "false"]).optional(),
});

export function registerBillingRoutes(router: Router, core: Core) {
  const list = <T>(items: T[], query: URLSearchParams) => {
    const page = paginate(items, query);
    return json({ data: page.items, total_count: page.totalCount });
  };

  router
    .add("GET", "/v1/billing/plans", (req) => {
      const payerType = req.query.get("payer_type");
      if (payerType && payerType !== "user" && payerType !== "org") {
        throw errors.paramInvalid("payer_type", "must be user or org", 400);
      }
      return list(payerType === "user" ? [] : billingPlans(core).map(planJSON), req.query);
    })
    .add("GET", "/v1/organizations/:id/billing/subscription", (req, p) => {
      const org = getOrganization(core, p.id as string);
      const { subscription } = ensureSubscription(ctxOf(core, req), org.id);
      return json(subscriptionJSON(core, subscription, false));
    })
    .add("GET", "/v1/billing/subscription_items", (req) => {
      const q = parseParams(ItemsQuery, Object.fromEntries(req.query));
      const plan = q.plan_id ? getPlan(core, q.plan_id) : undefined;
      const items = Object.values(core.store.state.subscriptions)
        .flatMap((s) => s.items.map((i) => ({ s, i })))
        .filter(({ i }) => !q.status || i.status === q.status)
        .filter(({ i }) => !plan || i.planId === plan.id)
        .filter(
          ({ i }) =>
            q.include_free === "true" ||
            (core.store.state.billingPlans[i.planId]?.monthlyFee ?? 0) > 0,
        )
        .filter(() => q.payer_type !== "user")
        .sort((a, b) => b.i.createdAt - a.i.createdAt)
        .map(({ s, i }) => subscriptionItemJSON(core, s, i, false));
      return list(items, req.query);
    })
    .add("DELETE", "/v1/billing/subscription_items/:item", (req, p) => {
      const { subscription, item } = findSubscriptionItem(core, p.item as string);
      const endNow = req.query.get("end_now") === "true";
      const canceled = cancelSubscriptionItem(
        ctxOf(core, req),
        subscription,
        item,
        endNow,
        syncSeats,
      );
      return json(subscriptionItemJSON(core, subscription, canceled, false));
    })
    // No plan here has a free trial to extend.
    .add("POST", "/v1/billing/subscription_items/:item/extend_free_trial", (_req, p) => {
      findSubscriptionItem(core, p.item as string);
      throw errors.paramInvalid("subscription_item_id", "is not in a free trial", 400);
    })
    .add("GET", "/v1/billing/statements", (req) =>
      list(
        Object.values(core.store.state.statements)
          .sort((a, b) => b.timestamp - a.timestamp)
          .map((s) => statementJSON(core, s, false)),
        req.query,
      ),
    )
    .add("GET", "/v1/billing/statements/:statement", (_req, p) => {
      const statement = core.store.state.statements[p.statement as string];
      if (!statement) throw errors.notFound("statement");
      return json(statementJSON(core, statement, false));
    })
    .add("GET", "/v1/billing/statements/:statement/payment_attempts", (req, p) => {
      const statement = core.store.state.statements[p.statement as string];
      if (!statement) throw errors.notFound("statement");
      return list(
        Object.values(core.store.state.paymentAttempts)
          .filter((a) => a.statementId === statement.id)
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((a) => paymentAttemptJSON(core, a, false)),
        req.query,
      );
    });
}
