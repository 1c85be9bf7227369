import type { Page } from "@playwright/test";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import {
  clerk,
  clerkLoaded,
  expect,
  openSignedIn,
  SCREENSHOTS,
  test,
  uniqueEmail,
} from "./fixtures";
import { EMULATOR_URL } from "./ports";

// Clerk Billing through Clerk's own components: <PricingTable for="organization"/> and its
// checkout drawer, paid with the test card the emulator gives every organization (Clerk's
// "checkout with an existing payment method": no Stripe script is needed, none is stood in for),
// and <OrganizationProfile/>'s invitation form meeting the plan's seat limit.

// <OrganizationSwitcher/> → Manage → Members. A click that lands while clerk-js is still settling
// the organization the URL activated is lost: retry.
async function openMembers(page: Page) {
  await page.getByRole("button", { name: "Open organization switcher" }).click();
  await page.getByRole("button", { name: /^Manage/ }).click();
  const profile = page.getByRole("dialog");
  await expect(async () => {
    await profile.getByRole("button", { name: "Members" }).click();
    await expect(profile.getByRole("button", { name: "Invite" })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  return profile;
}

// The pricing table's card of a plan.
const planCard = (page: Page, name: string) =>
  page
    .locator(".cl-pricingTableCard")
    .filter({ has: page.getByRole("heading", { name, exact: true }) });

test("an admin subscribes the organization in the checkout drawer, the audit log unlocks at once, the seat limit refuses an invitation, and after a downgrade the project limit shows the upgrade prompt", async ({
  page,
}) => {
  test.slow();
  // An organization on the free plan (5 seats): its admin and three members take four.
  const email = uniqueEmail("billing-admin");
  const admin = await clerk.users.createUser({
    emailAddress: [email],
    firstName: "Bea",
  });
  const org = await clerk.organizations.createOrganization({
    name: `Billing ${Date.now().toString(36)}`,
    createdBy: admin.id,
  });
  for (let i = 0; i < 3; i++) {
    const member = await clerk.users.createUser({ emailAddress: [uniqueEmail(`seat${i}`)] });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:member",
    });
  }

  // Stripe is outside this system: its script is refused and counted (the card on file needs none).
  const stripe: string[] = [];
  await page.route("https://js.stripe.com/**", (route) => {
    stripe.push(route.request().url());
    return route.abort();
  });

  // On the free plan the audit log is an upgrade away.
  await openSignedIn(page, { email }, `/orgs/${org.slug}/activity`);
  const activityPrompt = page.getByRole("region", { name: /Upgrade to see/ });
  await expect(activityPrompt).toContainText("Upgrade to Team or Business");

  // Two invitations for the one seat left: Clerk refuses them in <OrganizationProfile/>; one is
  // sent, and the seats are full.
  const profile = await openMembers(page);
  await profile.getByRole("button", { name: "Invite" }).click();
  const addresses = profile.getByRole("textbox").first();
  await addresses.pressSequentially(`${uniqueEmail("seat4")},${uniqueEmail("one-too-many")},`);
  await profile.getByRole("button", { name: "Send invitations" }).click();
  await expect(profile.getByText(/reached your limit of organization memberships/)).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/billing-seat-limit.png` });
  await profile.getByRole("button", { name: "Cancel" }).click();
  // The cancelled form leaves before a new one opens (one run caught both on the page).
  await expect(profile.getByRole("button", { name: "Send invitations" })).toHaveCount(0);
  await profile.getByRole("button", { name: "Invite" }).click();
  await profile.getByRole("textbox").first().fill(uniqueEmail("seat4"));
  await profile.getByRole("button", { name: "Send invitations" }).click();
  await expect(profile.getByText(/invitations successfully sent/i)).toBeVisible();
  await expect(profile.getByText("5 of 5 seats used")).toBeVisible();
  // Clerk's Members page comes back with an animation: for a moment the old one (its Invite still
  // enabled) and the new one are both in the dialog. The one that stays is disabled.
  const invite = profile.getByRole("button", { name: "Invite" });
  await expect(invite).toHaveCount(1);
  await expect(invite).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(profile).toBeHidden();

  // The Billing page, linked in the header for billing admins.
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}/billing$`));
  const subscription = page.getByRole("region", { name: "Current subscription" });
  await expect(subscription).toContainText("Free plan: free.");
  await expect(subscription).toContainText(
    "Seats: 4 of 5 taken by members, 1 by pending invitations.",
  );

  // Team, paid in the checkout drawer with the organization's card on file (billed annually: the
  // pricing table's default when a plan has an annual price).
  await planCard(page, "Team")
    .getByRole("button", { name: /Subscribe|Get started/ })
    .click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("button", { name: /visa ⋯ 4242 Default/ })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/billing-checkout-drawer.png` });
  await drawer.getByRole("button", { name: "Pay $288.00" }).click();
  await expect(drawer.getByText("Payment was successful!")).toBeVisible();
  await drawer.getByRole("button", { name: "Continue" }).click();
  await expect(subscription).toContainText(
    "Team plan: $24.00 a month, billed annually ($288.00 a year).",
  );
  await expect(subscription).toContainText(
    "Seats: 4 of 10 taken by members, 1 by pending invitations.",
  );
  expect(stripe).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/billing-team.png`, fullPage: true });

  // At once, without signing in again: the session's token carries Team, the log opens.
  await page.goto(`/orgs/${org.slug}/activity`);
  const log = page.locator("tbody");
  await expect(log.locator("tr", { hasText: "Plan started" }).first()).toContainText("Team");
  await expect(log.locator("tr", { hasText: "Payment received" })).toContainText(
    "288.00 USD for Team, visa 4242",
  );

  // Four projects on Team; then a downgrade to Free, chosen in the pricing table, which Clerk
  // schedules for the end of the period.
  for (let i = 1; i <= 4; i++) {
    const res = await page.request.post("/api/v1/projects", { data: { name: `Project ${i}` } });
    expect(res.status()).toBe(201);
  }
  await page.goto(`/orgs/${org.slug}/billing`);
  await planCard(page, "Free").getByRole("button", { name: "Switch to this plan" }).click();
  await expect(drawer.getByText(/switched to this subscription/)).toBeVisible();
  await drawer.getByRole("button", { name: "Subscribe" }).click();
  await drawer.getByRole("button", { name: "Continue" }).click();
  await expect(subscription).toContainText("Then the Free plan from");

  // The period ends (the emulator's clock helper); the session's next token says Free.
  const ended = await fetch(
    `${EMULATOR_URL}/__emulator/billing/organizations/${org.id}/end_period`,
    { method: "POST", headers: { authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}` } },
  );
  expect(ended.status).toBe(200);
  await page.evaluate(async () => {
    const w = window as unknown as {
      Clerk: { session: { getToken: (o: { skipCache: boolean }) => Promise<string> } };
    };
    await w.Clerk.session.getToken({ skipCache: true });
  });

  // The projects stay; a fifth is refused, with the way to upgrade.
  await page.goto(`/orgs/${org.slug}`);
  await clerkLoaded(page);
  await expect(page.getByText("4 of 3 projects on the Free plan.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create project" })).toHaveCount(0);
  const prompt = page.getByRole("region", { name: "Upgrade to create more projects" });
  await expect(prompt).toContainText("allows 3 projects");
  await page.screenshot({ path: `${SCREENSHOTS}/billing-project-limit.png`, fullPage: true });
  await prompt.getByRole("link", { name: "Upgrade to Team or Business" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}/billing$`));
});
