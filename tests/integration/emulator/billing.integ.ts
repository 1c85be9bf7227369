import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BILLING_PLANS } from "../../../clerk/billing-plans";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, SKIP_BAPI_CONTRACT } from "../../support/fapi-browser";
import { FAPI_SPEC, loadContract, validateWebhookPayload } from "../../support/openapi-contract";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Clerk Billing for organizations through the real @clerk/backend (held to the BAPI spec by
// contract-setup.ts) and the Frontend API as clerk-js calls it (held to the FAPI spec), with the
// test card the emulator gives every organization standing in for Stripe.
const APP = "http://localhost:3000";
const PASSWORD = "long-enough-pw-1";
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({
    env: { EMULATOR_WEBHOOK_URL: receiver.url, EMULATOR_AUTHORIZED_PARTY: APP },
  });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const seatsOf = (key: string) =>
  BILLING_PLANS.organization_plans.find((p) => p.key === key)?.seats ?? -1;

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

type Signed = { browser: FapiBrowser; orgId: string; userId: string };

async function adminOfNewOrganization(label: string): Promise<Signed> {
  const email = `${unique(label)}@example.com`;
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  const org = await clerk.organizations.createOrganization({ name: label, createdBy: user.id });
  const browser = await fapiBrowser(emulator.frontendUrl, APP);
  const signIn = await browser.call("POST", "/v1/client/sign_ins", {
    identifier: email,
    password: PASSWORD,
  });
  const sessionId = signIn.body.response.created_session_id;
  await browser.call("POST", `/v1/client/sessions/${sessionId}/touch`, {
    active_organization_id: org.id,
  });
  return { browser, orgId: org.id, userId: user.id };
}

// The session token the last answer carried (clerk-js takes it from the piggybacked client).
const tokenOf = (body: { client: { sessions: { last_active_token: { jwt: string } }[] } }) =>
  claimsOf(body.client.sessions[0]?.last_active_token.jwt ?? "");

async function planId(key: string): Promise<string> {
  const { data } = await clerk.billing.getPlanList();
  const plan = data.find((p) => p.slug === key);
  if (!plan) throw new Error(`no plan ${key}`);
  return plan.id;
}

async function subscribe(s: Signed, key: string, period = "month") {
  const base = `/v1/organizations/${s.orgId}/billing`;
  const checkout = await s.browser.call("POST", `${base}/checkouts`, {
    plan_id: await planId(key),
    plan_period: period,
  });
  expect(checkout.status).toBe(200);
  const methods = await s.browser.call("GET", `${base}/payment_methods`);
  const card = methods.body.response.data[0];
  return s.browser.call("PATCH", `${base}/checkouts/${checkout.body.response.id}/confirm`, {
    payment_method_id: card.id,
  });
}

// The two answers clerk-js reads without a `response` wrapper, on paths the FAPI spec lacks for
// organizations: fetched as clerk-js does, each item held to the spec's BillingPaymentAttempt.
async function paymentAttempts(s: Signed) {
  const url = new URL(
    `/v1/organizations/${s.orgId}/billing/payment_attempts`,
    emulator.frontendUrl,
  );
  url.searchParams.set("__clerk_db_jwt", s.browser.devBrowser);
  const res = await fetch(url, { headers: { ...SKIP_BAPI_CONTRACT, origin: APP } });
  const body = (await res.json()) as { data: unknown[]; total_count: number };
  for (const item of body.data) {
    expect(loadContract(FAPI_SPEC).validateComponent("BillingPaymentAttempt", item)).toMatchObject({
      ok: true,
    });
  }
  return body;
}

describe("Clerk Billing for organizations", () => {
  it("offers the plans of clerk/billing-plans.json to the Backend API, the pricing table and the environment", async () => {
    const { data, totalCount } = await clerk.billing.getPlanList();
    expect(totalCount).toBe(BILLING_PLANS.organization_plans.length);
    expect(data.map((p) => p.slug)).toEqual(BILLING_PLANS.organization_plans.map((p) => p.key));
    const team = data.find((p) => p.slug === "team");
    expect(team?.fee?.amount).toBe(2900);
    expect(team?.features.map((f) => f.slug)).toContain("audit_log");

    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const plans = await browser.call("GET", "/v1/billing/plans?payer_type=org");
    expect(plans.body.total_count).toBe(data.length);
    expect((await browser.call("GET", "/v1/billing/plans?payer_type=user")).body.data).toEqual([]);
    const one = await browser.call("GET", "/v1/billing/plans/team");
    expect(one.body.id).toBe(team?.id);
    const env = await browser.call("GET", "/v1/environment");
    expect(env.body.commerce_settings.billing.organization).toEqual({
      enabled: true,
      has_paid_plans: true,
    });
  });

  it("puts a new organization on the free plan: its subscription, seats and session claims", async () => {
    const s = await adminOfNewOrganization("free");
    const sub = await clerk.billing.getOrganizationBillingSubscription(s.orgId);
    expect(sub.subscriptionItems.map((i) => [i.plan?.slug, i.status])).toEqual([
      ["free_org", "active"],
    ]);
    const org = await clerk.organizations.getOrganization({ organizationId: s.orgId });
    expect(org.maxAllowedMemberships).toBe(seatsOf("free_org"));
    const fapiSub = await s.browser.call(
      "GET",
      `/v1/organizations/${s.orgId}/billing/subscription`,
    );
    const claims = tokenOf(fapiSub.body);
    expect(claims.pla).toBe("o:free_org");
    expect(claims.fea).not.toContain("audit_log");
    await receiver.waitFor((all) =>
      all.some(
        (d) =>
          d.type === "subscription.created" && JSON.stringify(d.payload.data).includes(s.orgId),
      ),
    );
  });

  it("subscribes through a checkout paid with the organization's test card, and the token carries the plan at once", async () => {
    const s = await adminOfNewOrganization("upgrade");
    const base = `/v1/organizations/${s.orgId}/billing`;
    const checkout = await s.browser.call("POST", `${base}/checkouts`, {
      plan_id: await planId("team"),
      plan_period: "annual",
    });
    expect(checkout.body.response).toMatchObject({
      status: "needs_confirmation",
      is_immediate_plan_change: true,
      needs_payment_method: true,
      totals: { total_due_now: { amount: 2400 * 12 } },
    });
    const fetched = await s.browser.call("GET", `${base}/checkouts/${checkout.body.response.id}`);
    expect(fetched.body.response.id).toBe(checkout.body.response.id);
    const promo = await s.browser.call("PATCH", `${base}/checkouts/${checkout.body.response.id}`, {
      promo_code: "NOPE",
    });
    expect(promo.status).toBe(422);

    const methods = await s.browser.call("GET", `${base}/payment_methods`);
    expect(methods.body.response.data).toMatchObject([
      { last4: "4242", card_type: "visa", is_default: true },
    ]);
    const confirmed = await s.browser.call(
      "PATCH",
      `${base}/checkouts/${checkout.body.response.id}/confirm`,
      { payment_method_id: methods.body.response.data[0].id },
    );
    expect(confirmed.body.response.status).toBe("completed");
    const claims = tokenOf(confirmed.body);
    expect(claims.pla).toBe("o:team");
    expect(claims.fea.split(",")).toEqual(
      expect.arrayContaining(["o:audit_log", "o:organization_api_keys", "o:more_projects"]),
    );
    const again = await s.browser.call(
      "PATCH",
      `${base}/checkouts/${checkout.body.response.id}/confirm`,
      { payment_method_id: methods.body.response.data[0].id },
    );
    expect(again.status).toBe(400);

    const sub = await clerk.billing.getOrganizationBillingSubscription(s.orgId);
    expect(sub.subscriptionItems.map((i) => [i.plan?.slug, i.planPeriod, i.status])).toEqual([
      ["team", "annual", "active"],
    ]);
    expect(
      (await clerk.organizations.getOrganization({ organizationId: s.orgId }))
        .maxAllowedMemberships,
    ).toBe(seatsOf("team"));

    const attempts = await paymentAttempts(s);
    expect(attempts.data).toMatchObject([
      { status: "paid", amount: { amount: 28800 }, charge_type: "checkout" },
    ]);
    const statements = await s.browser.call("GET", `${base}/statements`);
    const statementId = statements.body.response.data[0].id;
    await s.browser.call("GET", `${base}/statements/${statementId}`);
    const bapiStatement = await emulatorRequest(
      emulator.url,
      "GET",
      `/v1/billing/statements/${statementId}`,
    );
    expect(bapiStatement.body.totals.grand_total.amount).toBe(28800);
    const bapiAttempts = await emulatorRequest(
      emulator.url,
      "GET",
      `/v1/billing/statements/${statementId}/payment_attempts`,
    );
    expect(bapiAttempts.body.total_count).toBe(1);
    const items = await emulatorRequest(
      emulator.url,
      "GET",
      "/v1/billing/subscription_items?status=active",
    );
    expect(items.body.data.some((i: { payer_id: string }) => i.payer_id === sub.payerId)).toBe(
      true,
    );

    const events = await receiver.waitFor((all) =>
      [
        "subscriptionItem.active",
        "subscriptionItem.ended",
        "paymentAttempt.created",
        "paymentAttempt.updated",
        "subscription.updated",
      ].every((type) =>
        all.some((d) => d.type === type && JSON.stringify(d.payload.data).includes(s.orgId)),
      ),
    );
    for (const d of events.filter((e) => JSON.stringify(e.payload.data).includes(s.orgId))) {
      expect(validateWebhookPayload(d.payload), d.type).toMatchObject({ ok: true });
    }
  });

  it("refuses an invitation past the plan's seats, as Clerk does", async () => {
    const s = await adminOfNewOrganization("seats");
    const free = seatsOf("free_org");
    const addresses = Array.from({ length: free - 1 }, () => `${unique("seat")}@example.com`);
    await clerk.organizations.createOrganizationInvitationBulk(
      s.orgId,
      addresses.map((emailAddress) => ({
        emailAddress,
        role: "org:member",
        inviterUserId: s.userId,
      })),
    );
    const refused = await clerk.organizations
      .createOrganizationInvitation({
        organizationId: s.orgId,
        emailAddress: `${unique("one-too-many")}@example.com`,
        role: "org:member",
        inviterUserId: s.userId,
      })
      .then(
        () => null,
        (err: { status: number; errors: { code: string }[] }) => err,
      );
    expect(refused?.status).toBe(403);
    expect(refused?.errors[0]?.code).toBe("organization_membership_quota_exceeded");
    // Resending a pending invitation takes no new seat.
    await clerk.organizations.createOrganizationInvitation({
      organizationId: s.orgId,
      emailAddress: addresses[0] as string,
      role: "org:member",
      inviterUserId: s.userId,
    });
  });

  it("schedules a downgrade for the period's end, which the emulator can bring forward", async () => {
    const s = await adminOfNewOrganization("downgrade");
    await subscribe(s, "business");
    const base = `/v1/organizations/${s.orgId}/billing`;
    const checkout = await s.browser.call("POST", `${base}/checkouts`, {
      plan_id: await planId("free_org"),
      plan_period: "month",
    });
    expect(checkout.body.response).toMatchObject({
      is_immediate_plan_change: false,
      needs_payment_method: false,
      totals: { total_due_now: { amount: 0 } },
    });
    const confirmed = await s.browser.call(
      "PATCH",
      `${base}/checkouts/${checkout.body.response.id}/confirm`,
    );
    expect(tokenOf(confirmed.body).pla).toBe("o:business");
    const sub = await s.browser.call("GET", `${base}/subscription`);
    expect(
      sub.body.response.subscription_items.map((i: { plan: { slug: string }; status: string }) => [
        i.plan.slug,
        i.status,
      ]),
    ).toEqual([
      ["business", "canceled"],
      ["free_org", "upcoming"],
    ]);

    const ended = await emulatorRequest(
      emulator.url,
      "POST",
      `/__emulator/billing/organizations/${s.orgId}/end_period`,
    );
    expect(ended.status).toBe(200);
    const after = await s.browser.call("GET", `${base}/subscription`);
    expect(tokenOf(after.body).pla).toBe("o:free_org");
    expect(
      (await clerk.organizations.getOrganization({ organizationId: s.orgId }))
        .maxAllowedMemberships,
    ).toBe(seatsOf("free_org"));
  });

  it("cancels a paid plan through the Backend API, at once with end_now", async () => {
    const s = await adminOfNewOrganization("cancel");
    await subscribe(s, "team");
    const sub = await clerk.billing.getOrganizationBillingSubscription(s.orgId);
    const team = sub.subscriptionItems.find((i) => i.plan?.slug === "team");
    const canceled = await clerk.billing.cancelSubscriptionItem(team?.id as string, {
      endNow: true,
    });
    expect(canceled.status).toBe("ended");
    const now = await clerk.billing.getOrganizationBillingSubscription(s.orgId);
    expect(now.subscriptionItems.map((i) => [i.plan?.slug, i.status])).toEqual([
      ["free_org", "active"],
    ]);
    const free = now.subscriptionItems[0];
    const refused = await clerk.billing.cancelSubscriptionItem(free?.id as string).then(
      () => null,
      (err: { status: number }) => err.status,
    );
    expect(refused).toBe(400);
  });

  it("adds Stripe test-mode cards and refuses any other token; only billing managers may pay", async () => {
    const s = await adminOfNewOrganization("cards");
    const base = `/v1/organizations/${s.orgId}/billing`;
    const init = await s.browser.call("POST", `${base}/payment_methods/initialize`);
    expect(init.body.response.payment_method_order).toEqual(["card"]);
    const added = await s.browser.call("POST", `${base}/payment_methods`, {
      gateway: "stripe",
      payment_token: "pm_card_mastercard",
    });
    expect(added.body.response).toMatchObject({ last4: "4444", card_type: "mastercard" });
    const bad = await s.browser.call("POST", `${base}/payment_methods`, {
      gateway: "stripe",
      payment_token: "tok_from_a_real_card",
    });
    expect(bad.status).toBe(422);
    await s.browser.call("PUT", `${base}/payers/default_payment_method`, {
      payment_method_id: added.body.response.id,
    });
    const listed = await s.browser.call("GET", `${base}/payment_methods`);
    expect(listed.body.response.data.find((m: { is_default: boolean }) => m.is_default).last4).toBe(
      "4444",
    );

    const memberEmail = `${unique("member")}@example.com`;
    const member = await clerk.users.createUser({
      emailAddress: [memberEmail],
      password: PASSWORD,
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: s.orgId,
      userId: member.id,
      role: "org:member",
    });
    const mb = await fapiBrowser(emulator.frontendUrl, APP);
    await mb.call("POST", "/v1/client/sign_ins", { identifier: memberEmail, password: PASSWORD });
    const denied = await mb.call("POST", `${base}/checkouts`, {
      plan_id: await planId("team"),
      plan_period: "month",
    });
    expect(denied.status).toBe(403);
    const outsider = await adminOfNewOrganization("outsider");
    const hidden = await outsider.browser.call("GET", `${base}/subscription`);
    expect(hidden.status).toBe(404);
  });
});
