import { clerk, expect, newUser, openSignedIn, SCREENSHOTS, subscribe, test } from "./fixtures";

// User impersonation as support staff use it: an actor token made with the Backend API (what the
// Clerk Dashboard's "Impersonate user" does), its url opened in the impersonator's own browser.
// The app says who is acting as whom, records what they do so, and lets them out.
test("a support agent impersonates a customer: the app says so, records their changes as impersonated, and ends it on request", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const customer = await newUser("impersonated", "Cora");
  const org = await clerk.organizations.createOrganization({
    name: `Cora's ${Date.now().toString(36)}`,
    createdBy: customer.id,
  });
  // The audit log is a Team feature.
  await subscribe(org.id, "team");
  const agent = await newUser("support-agent", "Sam");
  await openSignedIn(page, agent, "/settings/account");

  const token = await clerk.actorTokens.create({
    userId: customer.id,
    actor: { sub: agent.id },
  });
  const url = new URL(token.url as string);
  await page.goto(`${url.pathname}${url.search}`);
  // Signed in as themselves, the agent is asked before the link signs them out; then <SignIn/>
  // redeems the ticket.
  await expect(
    page.getByRole("heading", { name: "This link signs in another account" }),
  ).toBeVisible();
  await expect(page.getByText("You are signed in as Sam Tester.")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in-link-while-signed-in.png` });
  await page.getByRole("button", { name: "Sign out and continue" }).click();
  await expect(page).toHaveURL(/\/(orgs\/[^/]+|onboarding)$/);
  // The customer's pages, with the notice above them (names as the webhooks synced them).
  await page.goto(`/orgs/${org.slug}`);
  const notice = page.getByTestId("impersonation-notice");
  await expect(async () => {
    await page.reload();
    await expect(notice).toContainText("Sam Tester is signed in as Cora Tester", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 20_000 });
  await page.screenshot({ path: `${SCREENSHOTS}/impersonation.png` });

  const name = `Fixed for Cora ${Date.now().toString(36)}`;
  const form = page.getByRole("form", { name: "New project" });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created “${name}”.`);
  await page.goto(`/orgs/${org.slug}/activity`);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("Cora Tester");
  await expect(row).toContainText("impersonated by Sam Tester");
  await page.screenshot({ path: `${SCREENSHOTS}/impersonation-activity.png` });

  await notice.getByRole("button", { name: "End impersonation" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);
});
