import { DEMO, expect, signInAndOpen, test } from "./fixtures";

test("an admin creates a project on the dashboard and deletes it after confirming", async ({
  page,
}) => {
  await signInAndOpen(page, DEMO, "/orgs/acme");

  const name = `Roadmap ${Date.now().toString(36)}`;
  const form = page.getByRole("form", { name: "New project" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel(/description/i).fill("Next quarter");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created “${name}”.`);
  const item = page.getByRole("listitem").filter({ hasText: name });
  await expect(item).toContainText("Next quarter");

  // The first click only arms the button; Cancel disarms it and nothing is deleted.
  await item.getByRole("button", { name: `Delete ${name}` }).click();
  await item.getByRole("button", { name: "Cancel" }).click();
  await expect(item).toBeVisible();

  await item.getByRole("button", { name: `Delete ${name}` }).click();
  await item.getByRole("button", { name: `Delete “${name}”` }).click();
  await expect(page.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
});
