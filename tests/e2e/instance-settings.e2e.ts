import type { InstanceSettings } from "../../clerk/instance-settings";
import { readInstanceSettings } from "../../clerk/instance-settings";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import { expect, test } from "./fixtures";
import { EMULATOR_URL } from "./ports";

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
