import { DEMO, expect, MEMBER, openSignedIn, SCREENSHOTS, test } from "./fixtures";

test.describe("the Activity page", () => {
  test("an admin sees the project they just created in the organization's activity, with their name", async ({
    page,
  }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");

    const name = `Audited ${Date.now().toString(36)}`;
    const form = page.getByRole("form", { name: "New project" });
    await form.getByLabel("Name").fill(name);
    await form.getByRole("button", { name: "Create project" }).click();
    await expect(form.getByRole("status")).toHaveText(`Created “${name}”.`);

    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Activity" })
      .click();
    await expect(page).toHaveURL(/\/orgs\/acme\/activity$/);
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText("Project created");
    await expect(row).toContainText("Dana Demo");
    await page.screenshot({ path: `${SCREENSHOTS}/activity.png`, fullPage: true });

    await page.getByLabel("Kind").selectOption("api_key.created");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/kind=api_key.created/);
    await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(0);
  });

  test("a member's header links only the pages they may use", async ({ page }) => {
    await openSignedIn(page, MEMBER, "/orgs/acme");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Projects" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Activity" })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);
    // Typed by hand, the pages say why in words, inside the app's frame.
    await page.goto("/orgs/acme/activity");
    await expect(page.getByText("Only admins can see this organization's activity.")).toBeVisible();
    await page.goto("/orgs/acme/settings/api-keys");
    await expect(
      page.getByText("Only admins can manage this organization's API keys."),
    ).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/member-api-keys.png` });
  });
});
