import { openCustomFlow } from "./custom-flows/open-custom-flow";
import {
  clerk,
  expect,
  openSignedIn,
  PUBLISHABLE_KEY,
  SCREENSHOTS,
  test,
  uniqueEmail,
} from "./fixtures";
import { APP_URL } from "./ports";

// Clerk's documented custom flows for billing (clerk-docs guides/development/custom-flows/billing/),
// their code as the docs give it (tests/e2e/custom-flows/docs/, for an organization), run in
// Chromium against the app's Clerk: the emulator, through the app's Frontend API proxy.

test("the documented checkout with an existing payment method subscribes the organization; the documented card form needs Stripe", async ({
  page,
}) => {
  const email = uniqueEmail("flows-admin");
  const admin = await clerk.users.createUser({ emailAddress: [email] });
  const org = await clerk.organizations.createOrganization({
    name: `Flows ${Date.now().toString(36)}`,
    createdBy: admin.id,
  });
  const team = (await clerk.billing.getPlanList({ payerType: "org" })).data.find(
    (p) => p.slug === "team",
  );
  expect(team).toBeDefined();
  // Stripe is outside this system (and offline out of reach): its script is refused and counted.
  const stripe: string[] = [];
  await page.route("https://js.stripe.com/**", (route) => {
    stripe.push(route.request().url());
    return route.abort();
  });
  // Signing in and opening the organization makes it the session's active one, which the flows
  // pay for.
  await openSignedIn(page, { email }, `/orgs/${org.slug}`);

  await openCustomFlow(page, "checkout-existing-payment-method", {
    publishableKey: PUBLISHABLE_KEY,
    define: { PLAN_ID: team?.id ?? "" },
  });
  await page.getByRole("button", { name: "Start Checkout" }).click();
  await expect(page.getByRole("heading", { name: "Order Summary" })).toBeVisible();
  await expect(page.getByText("$ 29.00")).toBeVisible();
  await expect(page.getByRole("combobox")).toContainText("**** **** **** 4242 visa");
  await page.screenshot({
    path: `${SCREENSHOTS}/custom-flow-checkout-existing-payment-method.png`,
  });
  await page.getByRole("button", { name: "Complete Purchase" }).click();
  await expect(page).toHaveURL(`${APP_URL}/`);
  const subscription = await clerk.billing.getOrganizationBillingSubscription(org.id);
  expect(
    subscription.subscriptionItems.filter((i) => i.status === "active").map((i) => i.plan?.slug),
  ).toEqual(["team"]);
  // The card on file was enough: nothing asked for Stripe.
  expect(stripe).toEqual([]);

  // Adding a card: the flow asks Clerk to initialize a payment method, then loads Stripe's script
  // for Stripe's card form. Without it the form never becomes ready: a new card needs Stripe.
  const initialized = page.waitForResponse((r) =>
    r.url().includes(`/organizations/${org.id}/billing/payment_methods/initialize`),
  );
  await openCustomFlow(page, "add-new-payment-method", { publishableKey: PUBLISHABLE_KEY });
  expect((await initialized).status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Add a new payment method" })).toBeVisible();
  await expect.poll(() => stripe.length).toBeGreaterThan(0);
  await expect(page.getByRole("button", { name: "Save Card" })).toBeDisabled();
  await page.screenshot({ path: `${SCREENSHOTS}/custom-flow-add-new-payment-method.png` });
});
