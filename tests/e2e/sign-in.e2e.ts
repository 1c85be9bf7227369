import { clerkSetup, clerk as clerkTesting } from "@clerk/testing/playwright";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import {
  clerk,
  DEMO,
  expect,
  PUBLISHABLE_KEY,
  SCREENSHOTS,
  signInWithPassword,
  test,
  uniqueEmail,
} from "./fixtures";
import { EMULATOR_URL } from "./ports";

test.describe("signing in and up with Clerk's own components", () => {
  test("signs up a new user with an email code and lands on onboarding", async ({ page }) => {
    const email = uniqueEmail("newcomer");
    await page.goto("/sign-up");
    await page.getByLabel(/email address/i).fill(email);
    await page.getByLabel(/^password/i).fill("a-long-enough-password");
    await page.screenshot({ path: `${SCREENSHOTS}/sign-up.png`, fullPage: true });
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    // +clerk_test addresses always take 424242, as with Clerk's development instances.
    await page
      .getByRole("textbox", { name: /verification code|enter verification code/i })
      .first()
      .fill("424242");
    await expect(page).toHaveURL(/\/onboarding$/);
    await expect(page.getByRole("heading", { name: "Choose an organization" })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/onboarding.png`, fullPage: true });

    const users = await clerk.users.getUserList({ emailAddress: [email] });
    expect(users.data).toHaveLength(1);
  });

  test("signs in with a password and opens the organization's dashboard", async ({ page }) => {
    await page.goto("/sign-in");
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png`, fullPage: true });
    await signInWithPassword(page, DEMO);
    await expect(page).toHaveURL(/\/onboarding$/);
    await page.getByRole("button", { name: /Acme Inc/ }).click();
    await expect(page).toHaveURL(/\/orgs\/acme$/);
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  });

  test("shows Clerk's error under the password field for a wrong password", async ({ page }) => {
    await signInWithPassword(page, { email: DEMO.email, password: "not-the-password" });
    // The message sits under the password field (Clerk maps meta.param_name to the field).
    await expect(page.locator("#error-password")).toHaveText(/password is incorrect/i);
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("signs in through @clerk/testing's clerkSetup() and clerk.signIn()", async ({ page }) => {
    process.env.CLERK_API_URL = EMULATOR_URL;
    await clerkSetup({
      publishableKey: PUBLISHABLE_KEY,
      secretKey: EMULATOR_DEFAULTS.secretKey,
      dotenv: false,
    });
    await page.goto("/");
    await clerkTesting.signIn({
      page,
      signInParams: { strategy: "password", identifier: DEMO.email, password: DEMO.password },
    });
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).token_type).toBe("session_token");
  });
});
