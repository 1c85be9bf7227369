import type { Page } from "@playwright/test";
import { clerk, DEMO, expect, MEMBER, openSignedIn, SCREENSHOTS, test } from "./fixtures";

// Clerk's <APIKeys/>, as <OrganizationProfile/> and <UserProfile/> embed it, talking to the
// emulator's API-key endpoints through the app's Frontend API proxy.
async function createKeyInComponent(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "Add new key" }).click();
  await page.getByLabel("Secret key name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = await page.getByRole("textbox", { name: "API key" }).inputValue();
  expect(secret).toMatch(/^ak_/);
  await page.getByRole("button", { name: "Copy & Close" }).click();
  await expect(page.getByText(name)).toBeVisible();
  return secret;
}

async function openOrganizationProfile(page: Page) {
  await page.getByRole("button", { name: "Open organization switcher" }).click();
  await page.getByRole("button", { name: "Manage" }).click();
}

test.describe("<APIKeys/>", () => {
  test("an admin creates an organization key", async ({ page }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");
    await openOrganizationProfile(page);
    await page.getByRole("dialog").getByRole("button", { name: "API keys" }).click();
    await expect(page.getByRole("searchbox", { name: "Search keys" })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/api-keys.png` });

    const secret = await createKeyInComponent(page, `org-ui-key-${Date.now().toString(36)}`);
    const acme = await clerk.organizations.getOrganization({ slug: "acme" });
    const verified = await clerk.apiKeys.verify(secret);
    expect(verified.subject).toBe(acme.id);
    // A key made in the browser carries no scopes: only the server can grant them.
    expect(verified.scopes).toEqual([]);
  });

  test("a user creates a personal key in the profile dialog of the user menu", async ({ page }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");
    // The /settings page hides this tab in favour of scoped keys; the dialog keeps Clerk's own.
    await page.getByRole("button", { name: "Open user menu" }).click();
    await page.getByRole("button", { name: "Manage account" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "API keys" }).click();
    const secret = await createKeyInComponent(page, `user-ui-key-${Date.now().toString(36)}`);
    const [demo] = (await clerk.users.getUserList({ emailAddress: [DEMO.email] })).data;
    expect((await clerk.apiKeys.verify(secret)).subject).toBe(demo?.id);
  });

  test("a plain member sees no organization keys, and the API refuses to list them", async ({
    page,
  }) => {
    await openSignedIn(page, MEMBER, "/orgs/acme");
    await openOrganizationProfile(page);
    // The tab is there, but <APIKeys/> renders nothing without org:sys_api_keys:read.
    await page.getByRole("dialog").getByRole("button", { name: "API keys" }).click();
    await expect(page.getByRole("dialog").getByRole("button", { name: "Members" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add new key" })).toHaveCount(0);
    await expect(page.getByRole("searchbox", { name: "Search keys" })).toHaveCount(0);

    const acme = await clerk.organizations.getOrganization({ slug: "acme" });
    const status = await page.evaluate(async (orgId) => {
      const token = await window.Clerk?.session?.getToken();
      const res = await fetch(`/__clerk/api_keys?subject=${orgId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.status;
    }, acme.id);
    expect(status).toBe(404);
  });
});
