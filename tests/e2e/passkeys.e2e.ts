import type { Page } from "@playwright/test";
import {
  clerk,
  clerkLoaded,
  confirmRemoval,
  expect,
  SCREENSHOTS,
  signInAndOpen,
  test,
  uniqueEmail,
} from "./fixtures";

// Passkeys through Clerk's own components, with Chromium's virtual authenticator (the DevTools
// protocol's WebAuthn domain) standing in for the device: registered in <UserProfile/>, used by
// <SignIn/>'s passkey autofill (WebAuthn's conditional mediation, which clerk-js starts on the
// sign-in page and the virtual authenticator answers at once: no identifier typed), and removed.
// The emulator verifies the attestation and the assertion with @simplewebauthn/server, for the
// app's origin.

const PASSWORD = "passkey-password-1";

async function virtualAuthenticator(page: Page) {
  // clerk-js offers no passkeys to a browser under automation (navigator.webdriver, as Playwright
  // sets it); Clerk's own passkey tests mask it the same way.
  await page.context().addInitScript(() => {
    Object.defineProperty(Object.getPrototypeOf(navigator), "webdriver", { get: () => false });
  });
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

test("registers a passkey in <UserProfile/>, signs in with it through <SignIn/>'s autofill, and removes it", async ({
  page,
}) => {
  const authenticator = await virtualAuthenticator(page);
  const email = uniqueEmail("passkey");
  await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  await signInAndOpen(page, { email, password: PASSWORD }, "/settings/account/security");

  await page.getByRole("button", { name: "Add a passkey" }).click();
  const passkey = page.locator(".cl-profileSectionItem__passkeys");
  await expect(passkey).toBeVisible();
  expect(await authenticator.credentials()).toHaveLength(1);
  await page.screenshot({ path: `${SCREENSHOTS}/passkey-registered.png`, fullPage: true });

  await page.getByRole("button", { name: "Open user menu" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  // Clerk goes to the landing page once signed out.
  await expect(page).toHaveURL(/:\d+\/$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await clerkLoaded(page);

  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/onboarding$/);
  await clerkLoaded(page);

  await page.goto("/settings/account/security");
  await passkey.getByRole("button", { name: "Open menu" }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  await confirmRemoval(page, passkey);
  // @clerk/backend's User leaves out Clerk's `passkeys`: its raw JSON has them.
  const [user] = (await clerk.users.getUserList({ emailAddress: [email] })).data;
  expect((user?.raw as unknown as { passkeys: unknown[] } | undefined)?.passkeys).toEqual([]);
});
