import { SCOPE_DESCRIPTIONS } from "../../src/components/api-keys/scope-descriptions";
import { DEMO, expect, openSignedIn, SCREENSHOTS, test } from "./fixtures";

test.describe("scoped API keys in settings", () => {
  test("an admin creates a scoped organization key, the API accepts it, and after revoking it answers 401", async ({
    page,
    request,
  }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");
    await page.getByRole("link", { name: "API keys" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme\/settings\/api-keys$/);
    // Each scope is explained once, beside its checkbox.
    for (const description of Object.values(SCOPE_DESCRIPTIONS)) {
      await expect(page.getByText(description, { exact: true })).toHaveCount(1);
    }
    await page.screenshot({ path: `${SCREENSHOTS}/organization-api-keys.png`, fullPage: true });

    const name = `deploy-${Date.now().toString(36)}`;
    await page.locator("#key-name").fill(name);
    await page.locator('input[name="scopes"][value="projects:read"]').check();
    await page.locator('input[name="scopes"][value="projects:write"]').check();
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.locator("#new-key-secret").inputValue();
    expect(secret).toMatch(/^ak_/);
    // The ready-to-paste curl (a long unbroken secret) stays inside its box, also on a phone.
    const curl = page.locator("pre").filter({ hasText: "curl -H" });
    await expect(curl).toContainText(secret);
    const viewport = page.viewportSize();
    for (const width of [viewport?.width ?? 1280, 390]) {
      await page.setViewportSize({ width, height: viewport?.height ?? 720 });
      const fits = await curl.evaluate((pre) => {
        const box = pre.getBoundingClientRect();
        const section = (pre.closest("section") as HTMLElement).getBoundingClientRect();
        return pre.scrollWidth <= pre.clientWidth && box.right <= section.right;
      });
      expect(fits, `the curl fits at ${width} px`).toBe(true);
    }
    if (viewport) await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SCREENSHOTS}/scoped-api-keys.png`, fullPage: true });

    const headers = { authorization: `Bearer ${secret}` };
    const created = await request.post("/api/v1/projects", {
      headers,
      data: { name: "From a script" },
    });
    expect(created.status()).toBe(201);
    const listed = await request.get("/api/v1/projects", { headers });
    expect(listed.status()).toBe(200);
    expect((await listed.json()).data.map((p: { name: string }) => p.name)).toContain(
      "From a script",
    );

    await page.reload();
    await page.getByRole("button", { name: `Revoke ${name}` }).click();
    await page.getByRole("button", { name: `Revoke “${name}”` }).click();
    // Done once the key's row has left the list of active keys.
    await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(0);
    await expect(page.getByRole("status", { name: "Notice" })).toHaveText(`Revoked “${name}”.`);

    const after = await request.get("/api/v1/projects", { headers });
    expect(after.status()).toBe(401);
  });
});
