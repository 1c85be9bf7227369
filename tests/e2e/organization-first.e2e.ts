import { readInstanceSettings } from "../../clerk/instance-settings";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import { expect, newUser, SCREENSHOTS, signInWithPassword, test } from "./fixtures";
import { EMULATOR_URL } from "./ports";

// "Membership required" switched on in the emulator's instance settings (as `npm run
// clerk:configure` applies clerk/instance-settings.json), for this test only.
async function requireMembership(required: boolean) {
  const declared = readInstanceSettings();
  const res = await fetch(`${EMULATOR_URL}/__emulator/instance_settings`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      ...declared,
      organizations: { ...declared.organizations, membership_required: required },
    }),
  });
  expect(res.status).toBe(200);
}

test.describe("organization-first sessions", () => {
  test("with membership required, signing in lands on Clerk's choose-organization task; creating an organization finishes it and opens the organization", async ({
    page,
  }) => {
    const user = await newUser("first", "Fran");
    await requireMembership(true);
    try {
      await signInWithPassword(page, user);
      await expect(page).toHaveURL(/\/onboarding$/);
      const name = page.getByLabel("Name");
      await expect(name).toBeVisible();
      await page.screenshot({
        path: `${SCREENSHOTS}/choose-organization-task.png`,
        fullPage: true,
      });
      await name.fill(`First ${Date.now().toString(36)}`);
      await page.getByRole("button", { name: "Continue" }).click();
      await expect(page).toHaveURL(/\/orgs\/[^/]+$/);
      await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
      const me = await page.request.get("/api/v1/me");
      expect(await me.json()).toMatchObject({ org_slug: expect.stringContaining("first") });
    } finally {
      await requireMembership(false);
    }
  });
});
