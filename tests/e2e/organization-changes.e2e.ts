import {
  clerk,
  clerkLoaded,
  DEMO,
  demoOrganization,
  expect,
  newUser,
  openMembers,
  openSignedIn,
  SCREENSHOTS,
  subscribe,
  test,
} from "./fixtures";

// Changes made to an organization's people, seen from the app's pages: in Clerk's own components,
// through the Backend API (as an admin elsewhere would), and after an account is gone. Each test
// works in an organization of its own.

test("a role changed in <OrganizationProfile/> shows on the dashboard without a reload", async ({
  page,
}) => {
  const org = await demoOrganization(`Roles ${Date.now().toString(36)}`);
  const teammate = await newUser("roles", "Robin");
  await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: teammate.id,
    role: "org:member",
  });
  await openSignedIn(page, DEMO, `/orgs/${org.slug}`);
  const members = page.getByRole("region", { name: "Members" });
  const row = members.getByRole("listitem").filter({ hasText: teammate.name });
  await expect(row).toContainText("member");
  // Nothing below reloads the page: a reload would lose this marker.
  await page.evaluate(() => {
    (window as { notReloaded?: boolean }).notReloaded = true;
  });

  const profile = await openMembers(page);
  const memberRow = profile.getByRole("row").filter({ hasText: teammate.email });
  await memberRow.getByRole("button", { name: /member/i }).click();
  await page.getByRole("option", { name: /admin/i }).click();
  await page.keyboard.press("Escape");

  await expect(row).toContainText("admin", { timeout: 20_000 });
  expect(await page.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);
});

test("a removed member who opens the organization gets a page in the app's frame with a way back", async ({
  page,
}) => {
  const org = await demoOrganization(`Removal ${Date.now().toString(36)}`);
  const teammate = await newUser("removed", "Rory");
  const own = await clerk.organizations.createOrganization({
    name: `Rory's own ${Date.now().toString(36)}`,
    createdBy: teammate.id,
  });
  await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: teammate.id,
    role: "org:member",
  });
  await openSignedIn(page, teammate, `/orgs/${org.slug}`);
  await clerk.organizations.deleteOrganizationMembership({
    organizationId: org.id,
    userId: teammate.id,
  });
  // The session token in the cookie names the organization until clerk-js drops it (its switcher
  // already shows none: the membership is gone); drop it now rather than wait for the token's
  // minute to run out.
  await clerkLoaded(page);
  await page.evaluate(async () => {
    const w = window as { Clerk?: { setActive: (o: object) => Promise<void> } };
    await w.Clerk?.setActive({ organization: null });
  });

  const res = await page.goto(`/orgs/${org.slug}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Nothing to show here" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Open user menu" })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/removed-member.png` });
  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${own.slug}$`));
});

test("Activity still names a member after their account is deleted", async ({ page }) => {
  const org = await demoOrganization(`Departed ${Date.now().toString(36)}`);
  // The Activity page is Team's.
  await subscribe(org.id, "team");
  const teammate = await newUser("departed", "Dale");
  await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: teammate.id,
    role: "org:member",
  });
  await openSignedIn(page, DEMO, `/orgs/${org.slug}/activity`);
  const added = page.getByRole("row").filter({ hasText: "Member added" });
  await expect(added.filter({ hasText: teammate.name })).toHaveCount(1, { timeout: 20_000 });

  await clerk.users.deleteUser(teammate.id);
  const removed = page.getByRole("row").filter({ hasText: "Member removed" });
  // The page follows the webhook's write by itself.
  await expect(removed.filter({ hasText: teammate.name })).toHaveCount(1, { timeout: 20_000 });
  await expect(added.filter({ hasText: teammate.name })).toHaveCount(1);
  await expect(page.getByText(teammate.id)).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/activity-departed.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENSHOTS}/activity-phone.png`, fullPage: true });
});
