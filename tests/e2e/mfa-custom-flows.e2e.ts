import type { Page } from "@playwright/test";
import { NEXT_STEP_MS, totpCode } from "../support/totp";
import { clerk, clerkLoaded, expect, signInAndOpen, test, uniqueEmail } from "./fixtures";

// Clerk's documented custom flows (clerk-docs guides/development/custom-flows/), call for call, in
// the browser with the real clerk-js: "Manage multi-factor authentication" (account-updates/
// manage-mfa), "Sign-in with MFA" (authentication/multi-factor-authentication) and "Device Trust"
// (authentication/device-trust). The Core 3 examples use `useSignIn()`'s sign-in, which is
// clerk-js's `client.signIn.__internal_future`; the rest is `window.Clerk` as the hooks hand it
// out.

const PASSWORD = "custom-flow-password-1";

type Future = {
  status: string;
  supportedSecondFactors: { strategy: string }[];
  password: (p: { emailAddress: string; password: string }) => Promise<{ error: unknown }>;
  mfa: {
    verifyTOTP: (p: { code: string }) => Promise<{ error: unknown }>;
    verifyBackupCode: (p: { code: string }) => Promise<{ error: unknown }>;
    sendEmailCode: () => Promise<{ error: unknown }>;
    verifyEmailCode: (p: { code: string }) => Promise<{ error: unknown }>;
  };
  finalize: () => Promise<{ error: unknown }>;
};
type ClerkWindow = {
  Clerk: {
    client: { signIn: { __internal_future: Future } };
    user: {
      createTOTP: () => Promise<{ secret?: string }>;
      verifyTOTP: (p: { code: string }) => Promise<{ verified: boolean; backupCodes?: string[] }>;
      createBackupCode: () => Promise<{ codes: string[] }>;
      disableTOTP: () => Promise<unknown>;
      reload: () => Promise<{ twoFactorEnabled: boolean; backupCodeEnabled: boolean }>;
    } | null;
    session: { id: string } | null;
    signOut: () => Promise<void>;
  };
};

// The Core 3 sign-in of the docs: password, then the second step the status asks for.
async function signInStatus(page: Page, email: string) {
  await page.goto("/sign-in");
  await clerkLoaded(page);
  return page.evaluate(
    async ({ email, password }) => {
      const signIn = (window as unknown as ClerkWindow).Clerk.client.signIn.__internal_future;
      await signIn.password({ emailAddress: email, password });
      return { status: signIn.status, factors: signIn.supportedSecondFactors };
    },
    { email, password: PASSWORD },
  );
}

async function finishWith(
  page: Page,
  method: "verifyTOTP" | "verifyBackupCode" | "verifyEmailCode",
  code: string,
) {
  return page.evaluate(
    async ({ method, code }) => {
      const { Clerk } = window as unknown as ClerkWindow;
      const signIn = Clerk.client.signIn.__internal_future;
      const { error } = await signIn.mfa[method]({ code });
      if (error) return { error: String(error) };
      const status = signIn.status;
      await signIn.finalize();
      return { status, session: Boolean(Clerk.session) };
    },
    { method, code },
  );
}

test("manages an authenticator app and backup codes, and signs in with MFA, as Clerk's custom flows call them", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("custom-mfa");
  await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  await signInAndOpen(page, { email, password: PASSWORD }, "/settings/account");
  await clerkLoaded(page);

  // manage-mfa: user.createTOTP(), then user.verifyTOTP({ code }) with the app's code.
  const secret = await page.evaluate(async () => {
    const totp = await (window as unknown as ClerkWindow).Clerk.user?.createTOTP();
    return totp?.secret as string;
  });
  const enrolled = await page.evaluate(
    (code) => (window as unknown as ClerkWindow).Clerk.user?.verifyTOTP({ code }),
    totpCode(secret),
  );
  expect(enrolled).toMatchObject({ verified: true });
  // user.createBackupCode(): a fresh set.
  const { codes } = await page.evaluate(
    async () =>
      (await (window as unknown as ClerkWindow).Clerk.user?.createBackupCode()) as {
        codes: string[];
      },
  );
  expect(codes).toHaveLength(10);
  await page.evaluate(() => (window as unknown as ClerkWindow).Clerk.signOut());

  // multi-factor-authentication: signIn.password(), needs_second_factor, signIn.mfa.verifyTOTP().
  const step = await signInStatus(page, email);
  expect(step).toMatchObject({ status: "needs_second_factor" });
  expect(step.factors.map((f) => f.strategy)).toEqual(["totp", "backup_code"]);
  expect(await finishWith(page, "verifyTOTP", totpCode(secret, Date.now() + NEXT_STEP_MS))).toEqual(
    {
      status: "complete",
      session: true,
    },
  );
  await page.evaluate(() => (window as unknown as ClerkWindow).Clerk.signOut());

  // ... and signIn.mfa.verifyBackupCode().
  await signInStatus(page, email);
  expect(await finishWith(page, "verifyBackupCode", codes[0] as string)).toMatchObject({
    status: "complete",
  });

  // manage-mfa: user.disableTOTP(); with no second factor left, MFA is off.
  const after = await page.evaluate(async () => {
    const { user } = (window as unknown as ClerkWindow).Clerk;
    await user?.disableTOTP();
    return user?.reload();
  });
  expect(after).toMatchObject({ twoFactorEnabled: false, backupCodeEnabled: false });
});

test("confirms a new device with the emailed code, as Clerk's Device Trust custom flow does", async ({
  page,
}) => {
  const email = uniqueEmail("custom-device-trust");
  await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  // device-trust: signIn.password(), needs_client_trust, signIn.mfa.sendEmailCode(), then
  // signIn.mfa.verifyEmailCode({ code }) (424242 for a +clerk_test address).
  const step = await signInStatus(page, email);
  expect(step).toMatchObject({
    status: "needs_client_trust",
    factors: [{ strategy: "email_code" }],
  });
  await page.evaluate(() =>
    (window as unknown as ClerkWindow).Clerk.client.signIn.__internal_future.mfa.sendEmailCode(),
  );
  expect(await finishWith(page, "verifyEmailCode", "424242")).toEqual({
    status: "complete",
    session: true,
  });
});
