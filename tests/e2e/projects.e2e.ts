import { DEMO, expect, openSignedIn, SCREENSHOTS, test } from "./fixtures";

test("an admin creates a project, edits it on its page, and deletes it after confirming", async ({
  page,
}) => {
  await openSignedIn(page, DEMO, "/orgs/acme");

  const name = `Roadmap ${Date.now().toString(36)}`;
  const form = page.getByRole("form", { name: "New project" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel(/description/i).fill("Next quarter");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created “${name}”.`);
  await expect(page.getByRole("listitem").filter({ hasText: name })).toContainText("Next quarter");

  // Its page: the API's validation (an empty name is refused, the input kept), then a save.
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const edit = page.getByRole("form", { name: "Edit project" });
  await edit.getByLabel("Name").fill("   ");
  await edit.getByLabel(/description/i).fill("Kept while the name is wrong");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByText("Name is required.")).toBeVisible();
  await expect(edit.getByLabel(/description/i)).toHaveValue("Kept while the name is wrong");
  const renamed = `${name} v2`;
  await edit.getByLabel("Name").fill(renamed);
  await edit.getByLabel(/description/i).fill("The quarter after");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByRole("heading", { level: 1, name: renamed })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/project-page.png`, fullPage: true });

  await page.getByRole("link", { name: "← All projects" }).click();
  const item = page.getByRole("listitem").filter({ hasText: renamed });
  await expect(item).toContainText("The quarter after");

  // The first click only arms the button; Cancel disarms it and nothing is deleted.
  await item.getByRole("button", { name: `Delete ${renamed}` }).click();
  await item.getByRole("button", { name: "Cancel" }).click();
  await expect(item).toBeVisible();

  await item.getByRole("button", { name: `Delete ${renamed}` }).click();
  await item.getByRole("button", { name: `Delete “${renamed}”` }).click();
  await expect(page.getByRole("listitem").filter({ hasText: renamed })).toHaveCount(0);
  await expect(page.getByRole("status", { name: "Notice" })).toHaveText(`Deleted “${renamed}”.`);
});
