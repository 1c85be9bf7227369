import type { Page } from "@playwright/test";
import { clerk, clerkLoaded, expect, SCREENSHOTS, signInAndOpen, test, uniqueEmail } from "./fixtures";

// Passkeys through Clerk's own components, with Chromium's virtual authenticator (the DevTools
// protocol's WebAuthn domain) standing in for the device: registered in <UserProfile/>, used to
// sign in from <SignIn/> without typing an identifier, and removed. The emulator verifies the
// attestation and the assertions with @simplewebauthn/server, for the app's origin.

const PASSWORD = "passkey-password-1";

async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () =>
      (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

test("registers a passkey in <UserProfile/>, signs in with it without an identifier, and removes it", async ({
  page,
}) => {
  const authenticator = await virtualAuthenticator(page);
  const email = uniqueEmail("passkey");
  await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  await signInAndOpen(page, { email, password: PASSWORD }, "/settings/account/security");

  await page.getByRole("button", { name: "Add a passkey" }).click();
  const passkeys = page.locator(".cl-profileSection__passkeys");
  await expect(passkeys.getByText(/Chrome on/)).toBeVisible();
  expect(await authenticator.credentials()).toHaveLength(1);
  await page.screenshot({ path: `${SCREENSHOTS}/passkey-registered.png`, fullPage: true });

  await page.goto("/");
  await clerkLoaded(page);
  await page.getByRole("button", { name: "Open user menu" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

  await page.goto("/sign-in");
  await page.screenshot({ path: `${SCREENSHOTS}/sign-in-passkey.png`, fullPage: true });
  await page.getByRole("button", { name: /passkey/i }).click();
  await expect(page).toHaveURL(/\/onboarding$/);
  await clerkLoaded(page);

  await page.goto("/settings/account/security");
  await passkeys.getByRole("button", { name: "Open menu" }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(passkeys.getByText(/Chrome on/)).toHaveCount(0);
  const user = await clerk.users.getUserList({ emailAddress: [email] });
  expect((user.data[0]?.raw as { passkeys: unknown[] }).passkeys).toEqual([]);
});
