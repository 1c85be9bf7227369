import type { Page } from "@playwright/test";
import { connectAppDatabase, eventually } from "../support/app-database";
import {
  clerk,
  clerkLoaded,
  confirmRemoval,
  expect,
  SCREENSHOTS,
  signInWithPassword,
  test,
} from "./fixtures";
import { codeMailedTo } from "./mailbox";
import { APP_DATABASE_URL, APP_URL, E2E_TOKEN_TTL_SECONDS } from "./ports";

// The account lifecycle through Clerk's own <UserProfile/> and <SignIn/>, each test with a user
// of its own. Addresses without `+clerk_test`, so every code is a random one read from the
// emulator's mailbox, as a user reads their email.

const db = connectAppDatabase(APP_DATABASE_URL);
test.afterAll(async () => {
  await db.close();
});

const FIRST_PASSWORD = "first-password-1";

function plainEmail(label: string) {
  return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.com`;
}

async function newUser(label: string) {
  const email = plainEmail(label);
  const user = await clerk.users.createUser({
    emailAddress: [email],
    password: FIRST_PASSWORD,
    firstName: "Pat",
    lastName: label,
  });
  return { id: user.id, email, password: FIRST_PASSWORD };
}

async function signIn(page: Page, user: { email: string; password: string }) {
  await signInWithPassword(page, user);
  await expect(page).toHaveURL(/\/onboarding$/);
  await clerkLoaded(page);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Open user menu" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

// One row of <UserProfile/>'s email list, and its "..." menu.
const emailRow = (page: Page, address: string) =>
  page.locator(".cl-profileSectionItem__emailAddresses").filter({ hasText: address });

async function emailAction(page: Page, address: string, action: string) {
  await emailRow(page, address).getByRole("button", { name: "Open menu" }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

test.describe("the account lifecycle in Clerk's components", () => {
  // Each test signs in twice, and every password is scrypt-hashed: on a busy machine that takes
  // longer than the suite's default. The tests share nothing (a user each), so they spread over
  // the workers: together they are the suite's longest file.
  test.describe.configure({ timeout: 180_000, mode: "parallel" });

  test("adds an email address, verifies it with the mailed code, makes it primary and drops the old one", async ({
    page,
  }) => {
    const user = await newUser("adder");
    await signIn(page, user);
    await page.goto("/settings/account");

    const second = plainEmail("second");
    await page.getByRole("button", { name: "Add email address" }).click();
    await page.getByLabel("Email address").fill(second);
    const sentAfter = Date.now();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const code = await codeMailedTo(second, sentAfter);
    await page.screenshot({ path: `${SCREENSHOTS}/account-verify-email.png`, fullPage: true });
    await page
      .getByRole("textbox", { name: /verification code/i })
      .first()
      .fill(code);
    await expect(emailRow(page, second)).toBeVisible();
    await expect(emailRow(page, second).getByText("Unverified")).toHaveCount(0);

    await emailAction(page, second, "Set as primary");
    await expect(emailRow(page, second).getByText("Primary")).toBeVisible();
    await emailAction(page, user.email, "Remove email");
    await confirmRemoval(page, emailRow(page, user.email));

    const after = await clerk.users.getUser(user.id);
    expect(after.primaryEmailAddress?.emailAddress).toBe(second);
    expect(after.emailAddresses.map((e) => e.emailAddress)).toEqual([second]);
    // The app's copy follows through the user.updated webhook.
    const row = await eventually(
      async () => (await db.sql`select email from users where id = ${user.id}`)[0],
      (r) => r?.email === second,
    );
    expect(row?.email).toBe(second);

    await signOut(page);
    await signIn(page, { email: second, password: user.password });
  });

  test("uploads a profile picture, served through the app's proxy, and removes it", async ({
    page,
  }) => {
    // The smallest PNG: one transparent pixel.
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082",
      "hex",
    );
    const user = await newUser("portrait");
    await signIn(page, user);
    await page.goto("/settings/account");
    await page.getByRole("button", { name: "Update profile" }).click();
    // The generated initials avatar: nothing to remove.
    await expect(page.getByRole("button", { name: "Upload" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);

    await page.locator('input[type="file"]').setInputFiles({
      name: "me.png",
      mimeType: "image/png",
      buffer: png,
    });
    const uploaded = page.locator('img[src*="/v1/images/"]').first();
    await expect(uploaded).toBeVisible();
    const src = (await uploaded.getAttribute("src")) ?? "";
    expect(src.startsWith(`${APP_URL}/__clerk/v1/images/img_`)).toBe(true);
    const served = await page.request.get(src);
    expect(served.headers()["content-type"]).toBe("image/png");
    expect(Buffer.from(await served.body()).equals(png)).toBe(true);
    expect((await clerk.users.getUser(user.id)).imageUrl).toBe(src);

    // An upload closes the form; opened again, it offers to remove the picture.
    // While it renders, the form briefly holds a second, disabled copy of its image actions.
    await page.getByRole("button", { name: "Update profile" }).click();
    await page.getByRole("button", { name: "Remove", disabled: false }).click();
    await expect(page.locator('img[src*="/v1/images/"]')).toHaveCount(0);
    expect((await clerk.users.getUser(user.id)).hasImage).toBe(false);
  });

  test("changes the password with the current one, signing out the other devices", async ({
    page,
  }) => {
    const user = await newUser("changer");
    // Signed in on another device too.
    const otherSession = await clerk.sessions.createSession({ userId: user.id });
    await signIn(page, user);
    await page.goto("/settings/account/security");
    await expect(page.getByText("Active devices")).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/account-security.png`, fullPage: true });

    await page.getByRole("button", { name: "Update password" }).click();
    await page.getByLabel("Current password").fill("not-my-password");
    await page.getByLabel("New password", { exact: true }).fill("second-password-2");
    await page.getByLabel("Confirm password").fill("second-password-2");
    await page.getByRole("button", { name: "Save" }).click();
    // Clerk's error, under the field it names.
    await expect(page.locator("#error-currentPassword")).toHaveText(/password is incorrect/i);

    await page.getByLabel("Current password").fill(user.password);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("button", { name: "Update password" })).toBeVisible();

    // "Sign out of all other devices" is checked by default: the other session is revoked (its
    // browser notices at its next token refresh, within a minute).
    expect((await clerk.sessions.getSession(otherSession.id)).status).toBe("revoked");

    await signOut(page);
    await signIn(page, { email: user.email, password: "second-password-2" });
  });

  test("resets a forgotten password from <SignIn/> with the mailed code", async ({ page }) => {
    const user = await newUser("forgetful");
    await page.goto("/sign-in");
    await page.getByLabel(/email address/i).fill(user.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText("Forgot password?").click();
    await page.screenshot({ path: `${SCREENSHOTS}/reset-password-forgot.png`, fullPage: true });

    const sentAfter = Date.now();
    await page.getByRole("button", { name: "Reset your password" }).click();
    const code = await codeMailedTo(user.email, sentAfter);
    await page
      .getByRole("textbox", { name: /verification code/i })
      .first()
      .fill(code === "000000" ? "111111" : "000000");
    await expect(page.locator(".cl-otpCodeFieldErrorText")).toHaveText(/incorrect code/i);
    await page
      .getByRole("textbox", { name: /verification code/i })
      .first()
      .fill(code);

    await expect(page.getByText("Set new password")).toBeVisible();
    await page.getByLabel("New password", { exact: true }).fill("reset-password-3");
    await page.getByLabel("Confirm password").fill("reset-password-3");
    await page.screenshot({ path: `${SCREENSHOTS}/reset-password-new.png`, fullPage: true });
    await page.getByRole("button", { name: "Reset Password" }).click();
    await expect(page).toHaveURL(/\/onboarding$/);

    await signOut(page);
    await signIn(page, { email: user.email, password: "reset-password-3" });
  });

  test("deletes the account: signed out, tombstoned in Postgres, its credentials refused", async ({
    page,
  }) => {
    const user = await newUser("leaver");
    const key = await clerk.apiKeys.create({ name: "leaver's key", subject: user.id });
    const withKey = { authorization: `Bearer ${key.secret}` };
    expect((await page.request.get("/api/v1/me", { headers: withKey })).status()).toBe(200);
    await signIn(page, user);
    const synced = await eventually(
      async () => (await db.sql`select id from users where id = ${user.id}`)[0],
      (r) => r !== undefined,
    );
    expect(synced).toBeDefined();
    const token = await page.evaluate(() =>
      (
        window as unknown as { Clerk: { session: { getToken(): Promise<string> } } }
      ).Clerk.session.getToken(),
    );
    const withToken = { authorization: `Bearer ${token}` };
    expect((await page.request.get("/api/v1/me", { headers: withToken })).status()).toBe(200);

    await page.goto("/settings/account/security");
    await page.getByRole("button", { name: "Delete account" }).click();
    await page.getByPlaceholder("Delete account").fill("Delete account");
    // Clicked again while Clerk's confirmation still shows, as confirmRemoval does (a whole-suite
    // run lost the click: the form filled, the button enabled, the page stayed).
    const confirm = page.locator("form").getByRole("button", { name: "Delete account" });
    await expect(async () => {
      if (await confirm.isVisible()) await confirm.click();
      await expect(page).toHaveURL(/\/$/, { timeout: 5_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

    const row = await eventually(
      async () =>
        (await db.sql`select deleted_at, email from users where id = ${user.id}`)[0] as {
          deleted_at: Date | null;
          email: string | null;
        },
      (r) => r.deleted_at !== null,
    );
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(row.email).toBeNull();

    // The browser is signed out at once. The user's API key goes once the app's verification cache
    // lets go of Clerk's last answer (API_KEY_CACHE_SECONDS, 10 s). A session token already issued
    // is a signed JWT the app checks offline: it is refused once it expires (Clerk's 60 s, the e2e
    // stacks' E2E_TOKEN_TTL_SECONDS), and the revoked session is never refreshed.
    expect((await page.request.get("/api/v1/me")).status()).toBe(401);
    await expect
      .poll(async () => (await page.request.get("/api/v1/me", { headers: withKey })).status(), {
        timeout: 15_000,
        intervals: [1_000],
      })
      .toBe(401);
    await expect
      .poll(async () => (await page.request.get("/api/v1/me", { headers: withToken })).status(), {
        timeout: (E2E_TOKEN_TTL_SECONDS + 15) * 1000,
        intervals: [2_000],
      })
      .toBe(401);
    await expect(clerk.users.getUser(user.id)).rejects.toMatchObject({ status: 404 });
  });
});
