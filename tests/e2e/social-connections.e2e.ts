import type { Page } from "@playwright/test";
import { clerk, clerkLoaded, expect, SCREENSHOTS, test, uniqueEmail } from "./fixtures";

// Social connections through Clerk's own <SignUp/>, <SignIn/> and <UserProfile/>: each button
// leaves for the emulator's stand-in provider page (through the app's /__clerk proxy) and comes
// back through the Frontend API's OAuth callback.

// On the stand-in page: type an account, as someone without the offered ones would.
async function continueAs(page: Page, provider: string, email: string) {
  await expect(page.getByRole("heading", { name: `Sign in with ${provider}` })).toBeVisible();
  await expect(page.getByText(`This page is not ${provider}.`)).toBeVisible();
  await page.getByRole("textbox", { name: "Email address" }).fill(email);
  await page.getByLabel("First name").fill("Sam");
  await page.getByLabel("Last name").fill("Social");
  await page.getByRole("button", { name: "Continue with this account" }).click();
}

// The signed-in user's profile lists the provider's account under Connected accounts.
async function expectConnected(page: Page, provider: string, email: string) {
  await page.goto("/settings/account");
  const connected = page.locator(".cl-profileSection__connectedAccounts");
  await expect(connected.getByText(provider, { exact: true })).toBeVisible();
  await expect(connected.getByText(email)).toBeVisible();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Open user menu" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

test.describe("social connections", () => {
  test.describe.configure({ timeout: 120_000 });

  test("signs up with Google from <SignUp/>, then signs in with it from <SignIn/>", async ({
    page,
  }) => {
    const email = uniqueEmail("google");
    await page.goto("/sign-up");
    await page.getByRole("button", { name: "Sign in with Google" }).click();
    await expect(page).toHaveURL(/\/__clerk\/v1\/oauth_stand_in\/google\/authorize\?/);
    await page.screenshot({ path: `${SCREENSHOTS}/social-stand-in-page.png`, fullPage: true });
    await continueAs(page, "Google", email);
    // Signed up: the app's onboarding, as after any sign-up.
    await expect(page).toHaveURL(/\/onboarding$/);
    await clerkLoaded(page);
    const {
      data: [user],
    } = await clerk.users.getUserList({ emailAddress: [email] });
    expect(user?.externalAccounts.map((a) => a.provider)).toEqual(["oauth_google"]);
    expect(user?.passwordEnabled).toBe(false);
    await expectConnected(page, "Google", email);

    await signOut(page);
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Sign in with Google" }).click();
    await continueAs(page, "Google", email);
    await expect(page).toHaveURL(/\/onboarding$/);
    await clerkLoaded(page);
    await expectConnected(page, "Google", email);
  });

  test("links GitHub to the account with the same address, then disconnects it and connects Microsoft in <UserProfile/>", async ({
    page,
  }) => {
    const email = uniqueEmail("linked");
    const user = await clerk.users.createUser({
      emailAddress: [email],
      password: "linked-password-42",
    });
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Sign in with GitHub" }).click();
    await continueAs(page, "GitHub", email);
    // The same user, signed in without their password: the account was linked.
    await expect(page).toHaveURL(/\/onboarding$/);
    await clerkLoaded(page);
    expect((await clerk.users.getUser(user.id)).externalAccounts.map((a) => a.provider)).toEqual([
      "oauth_github",
    ]);

    await page.goto("/settings/account");
    const connected = page.locator(".cl-profileSection__connectedAccounts");
    await expect(connected.getByText("GitHub", { exact: true })).toBeVisible();
    await connected.getByRole("button", { name: "Open menu" }).click();
    await page.getByRole("menuitem", { name: "Remove" }).click();
    await page.getByRole("button", { name: "Remove" }).click();
    await expect(connected.getByText("GitHub", { exact: true })).toHaveCount(0);

    await connected.getByRole("button", { name: "Connect account" }).click();
    await page.getByRole("menuitem", { name: /Microsoft/ }).click();
    await continueAs(page, "Microsoft", uniqueEmail("microsoft"));
    await expect(page).toHaveURL(/\/settings\/account/);
    await expect(connected.getByText("Microsoft", { exact: true })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/social-connected-accounts.png`, fullPage: true });
    expect((await clerk.users.getUser(user.id)).externalAccounts.map((a) => a.provider)).toEqual([
      "oauth_microsoft",
    ]);
  });
});
