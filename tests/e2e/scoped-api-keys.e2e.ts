import { DEMO, expect, SCREENSHOTS, signInWithPassword, test } from "./fixtures";

test.describe("scoped API keys in settings", () => {
  test("an admin creates a scoped organization key, the API accepts it, and after revoking it answers 401", async ({
    page,
    request,
  }) => {
    await signInWithPassword(page, DEMO);
    await page.getByRole("button", { name: /Acme Inc/ }).click();
    await expect(page).toHaveURL(/\/orgs\/acme$/);
    await page.getByRole("link", { name: "API keys" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme\/settings\/api-keys$/);

    const name = `deploy-${Date.now().toString(36)}`;
    await page.locator("#key-name").fill(name);
    await page.locator('input[name="scopes"][value="projects:read"]').check();
    await page.locator('input[name="scopes"][value="projects:write"]').check();
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.locator("#new-key-secret").inputValue();
    expect(secret).toMatch(/^ak_/);
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

    const after = await request.get("/api/v1/projects", { headers });
    expect(after.status()).toBe(401);
  });
});
