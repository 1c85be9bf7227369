import { DEMO, expect, SCREENSHOTS, signInWithPassword, test } from "./fixtures";

// /settings is Clerk's <UserProfile/> (under /settings/account), rendered with the app's own link
// to its scoped-keys page at /settings/api-keys.
test.describe("account settings", () => {
  test("shows the Scoped API keys link and no Clerk API keys page, and the link's URL is the app's own page, also after a reload", async ({
    page,
  }) => {
    const clerkWarnings: string[] = [];
    page.on("console", (message) => {
      if (/UserProfile|can only accept/.test(message.text())) clerkWarnings.push(message.text());
    });
    await signInWithPassword(page, DEMO);
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/settings\/account$/);

    const link = page.getByRole("button", { name: "Scoped API keys" });
    await expect(link).toBeVisible();
    await expect(page.getByRole("button", { name: "Security" })).toBeVisible();
    await expect(page.getByRole("button", { name: "API keys", exact: true })).toHaveCount(0);
    await page.screenshot({ path: `${SCREENSHOTS}/settings.png`, fullPage: true });

    await link.click();
    await expect(page).toHaveURL(/\/settings\/api-keys$/);
    await expect(page.getByRole("heading", { name: "Personal API keys" })).toBeVisible();
    await page.reload();
    await expect(page).toHaveURL(/\/settings\/api-keys$/);
    await expect(page.getByRole("heading", { name: "Personal API keys" })).toBeVisible();

    // Clerk's own pages route under /settings/account, reloads included.
    await page.goto("/settings/account/security");
    await expect(page.getByRole("heading", { name: "Security" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Scoped API keys" })).toBeVisible();
    expect(clerkWarnings).toEqual([]);
  });
});
