import {
  clerk,
  DEMO,
  expect,
  newUser,
  openSignedIn,
  SCREENSHOTS,
  signInWithPassword,
  signUpWithPassword,
  test,
  uniqueEmail,
} from "./fixtures";

test.describe("signing in and up with Clerk's own components", () => {
  test("signs up a new user from the landing page with an email code and lands on onboarding", async ({
    page,
  }) => {
    const email = uniqueEmail("newcomer");
    await page.goto("/");
    await page.getByRole("button", { name: "Create an account" }).click();
    await expect(page).toHaveURL(/\/sign-up/);
    await signUpWithPassword(page, email, { screenshot: `${SCREENSHOTS}/sign-up.png` });
    await expect(page).toHaveURL(/\/onboarding$/);
    // Clerk's <OrganizationList/> has loaded (its create button), and its own heading is hidden:
    // the page has exactly one level-1 heading.
    await expect(page.getByRole("button", { name: "Create organization" })).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose an organization");
    await page.screenshot({ path: `${SCREENSHOTS}/onboarding.png`, fullPage: true });

    const users = await clerk.users.getUserList({ emailAddress: [email] });
    expect(users.data).toHaveLength(1);
  });

  test("signs in from the landing page, confirms the new device with the emailed code and lands on the dashboard of their one organization", async ({
    page,
  }) => {
    // A user of the test's own in the seeded Acme only: the demo users' landing depends on where
    // other tests left them.
    const user = await newUser("lander", "Lee");
    const acme = await clerk.organizations.getOrganization({ slug: "acme" });
    await clerk.organizations.createOrganizationMembership({
      organizationId: acme.id,
      userId: user.id,
      role: "org:member",
    });
    await page.goto("/");
    await page.screenshot({ path: `${SCREENSHOTS}/landing.png`, fullPage: true });
    await expect(page.getByRole("link", { name: /API reference/ })).toHaveAttribute(
      "href",
      "/docs/api",
    );
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByLabel(/email address/i)).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png`, fullPage: true });
    await page.getByLabel(/email address/i).fill(user.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByLabel(/^password/i).fill(user.password);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    // Device Trust: this browser is new to the user, so Clerk asks for the emailed code
    // (424242 for a +clerk_test address, as on Clerk's development instances).
    await expect(page).toHaveURL(/\/sign-in\/client-trust/);
    await expect(page.getByText("You're signing in from a new device.")).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in-new-device.png`, fullPage: true });
    await page
      .getByRole("textbox", { name: /verification code/i })
      .first()
      .fill("424242");
    await expect(page).toHaveURL(/\/orgs\/acme$/);
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Open organization switcher" })).toContainText(
      "Acme Inc",
    );
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png`, fullPage: true });
  });

  test("signing in lands in the organization last active, and offers a choice without one", async ({
    page,
  }) => {
    const email = uniqueEmail("two-orgs");
    const password = "two-orgs-password-1";
    const user = await clerk.users.createUser({ emailAddress: [email], password });
    const acme = await clerk.organizations.getOrganization({ slug: "acme" });
    const other = await clerk.organizations.createOrganization({
      name: `Other ${Date.now().toString(36)}`,
      createdBy: user.id,
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: acme.id,
      userId: user.id,
      role: "org:member",
    });

    // Two organizations, none active before: choose one.
    await signInWithPassword(page, { email, password });
    await expect(page).toHaveURL(/\/onboarding$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
    await page.screenshot({ path: `${SCREENSHOTS}/onboarding-choose.png`, fullPage: true });
    await page.getByRole("button", { name: new RegExp(other.name) }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${other.slug}$`));

    // Signed in again (another browser session): back where they were.
    await page.context().clearCookies();
    await signInWithPassword(page, { email, password });
    await expect(page).toHaveURL(new RegExp(`/orgs/${other.slug}$`));
  });

  test("signed-out pages render no component that needs a session", async ({ page }) => {
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (/requires an active user session/i.test(message.text())) warnings.push(message.text());
    });
    for (const path of ["/", "/docs/api"]) {
      await page.goto(path);
      await page.waitForFunction(() => (window as { Clerk?: { loaded?: boolean } }).Clerk?.loaded);
    }
    // The public API reference has the app's header, signed out: a sign-in link, no switcher.
    await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    await expect(page.locator(".cl-organizationSwitcherTrigger")).toHaveCount(0);
    expect(warnings).toEqual([]);
  });

  test("shows Clerk's error under the password field for a wrong password", async ({ page }) => {
    await signInWithPassword(page, { email: DEMO.email, password: "not-the-password" });
    // The message sits under the password field (Clerk maps meta.param_name to the field).
    await expect(page.locator("#error-password")).toHaveText(/password is incorrect/i);
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("signs in through @clerk/testing's clerkSetup() and clerk.signIn()", async ({ page }) => {
    await openSignedIn(page, DEMO, "/");
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).token_type).toBe("session_token");
  });
});
