import type { InstanceSettings } from "../../clerk/instance-settings";
import { readInstanceSettings } from "../../clerk/instance-settings";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import { clerk, expect, SCREENSHOTS, signUpWithPassword, test, uniqueEmail } from "./fixtures";
import { APP_URL, EMULATOR_URL } from "./ports";

// clerk/instance-settings.json decides what Clerk's own components offer: the same pages, with
// social connections off and usernames on (what `npm run clerk:configure` does to a running
// emulator), then as declared again.

const declared = readInstanceSettings();

async function applySettings(settings: InstanceSettings) {
  const res = await fetch(`${EMULATOR_URL}/__emulator/instance_settings`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(settings),
  });
  expect(res.status).toBe(200);
}

test.afterEach(() => applySettings(declared));

test("<SignIn/> and <SignUp/> show what the instance settings offer", async ({ page }) => {
  const google = page.getByRole("button", { name: "Sign in with Google" });
  await page.goto("/sign-in");
  await expect(page.getByLabel("Email address", { exact: true })).toBeVisible();
  await expect(google).toBeVisible();
  // Each provider's name is written on its button: the icons come from img.clerk.com, which an
  // offline machine cannot load (src/app/layout.tsx).
  for (const name of ["GitHub", "Google", "Microsoft"]) {
    await expect(page.getByRole("button", { name: `Sign in with ${name}` })).toHaveText(name);
  }

  await applySettings({
    ...declared,
    identifiers: {
      ...declared.identifiers,
      username: { enabled: true, required: true, sign_in: true },
    },
    social_connections: { google: false, github: false, microsoft: false },
  });
  await page.goto("/sign-in");
  await expect(page.getByLabel("Email address or username")).toBeVisible();
  await expect(page.getByRole("button", { name: "Continue", exact: true })).toBeVisible();
  await expect(google).toHaveCount(0);
  await page.goto("/sign-up");
  await expect(page.getByLabel("Username")).toBeVisible();
  await expect(page.getByLabel("Email address")).toBeVisible();
  await expect(google).toHaveCount(0);

  await applySettings(declared);
  await page.goto("/sign-up");
  await expect(page.getByRole("button", { name: "Sign in with Google" })).toBeVisible();
  await expect(page.getByLabel("Username")).toHaveCount(0);
  // First and last name, offered and not required: the app's <SignUp/> shows optional fields.
  for (const label of [/^first name/i, /^last name/i]) {
    await expect(page.getByLabel(label)).toBeVisible();
  }
  await expect(page.getByText("Optional")).toHaveCount(2);
});

test("<SignUp/> asks for consent to the app's Terms of Service and Privacy Policy when the instance does, and Clerk keeps when it was given", async ({
  page,
}) => {
  await applySettings({
    ...declared,
    requirements: { ...declared.requirements, legal_consent: true },
  });
  await page.goto("/sign-up");
  const consent = page.getByRole("checkbox", { name: /I agree to the Terms of Service/ });
  await expect(consent).toBeVisible();
  await expect(page.getByRole("link", { name: "Terms of Service" })).toHaveAttribute(
    "href",
    `${APP_URL}/legal/terms`,
  );
  await expect(page.getByRole("link", { name: "Privacy Policy" })).toHaveAttribute(
    "href",
    `${APP_URL}/legal/privacy`,
  );
  await page.screenshot({ path: `${SCREENSHOTS}/sign-up-legal-consent.png` });
  await consent.check();
  const email = uniqueEmail("consent");
  const before = Date.now();
  await signUpWithPassword(page, email);
  await expect(page).toHaveURL(/\/onboarding$/);
  const [user] = (await clerk.users.getUserList({ emailAddress: [email] })).data;
  expect(user?.legalAcceptedAt).toBeGreaterThanOrEqual(before - 1_000);

  // The documents themselves are public pages of the app, for people without an account.
  await page.goto("/legal/privacy");
  await expect(page.getByRole("heading", { name: "Privacy Policy" })).toBeVisible();
  expect((await page.request.get("/legal/cookies")).status()).toBe(404);
});
