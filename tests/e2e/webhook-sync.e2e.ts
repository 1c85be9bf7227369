import postgres from "postgres";
import { expect, signUpWithPassword, test, uniqueEmail } from "./fixtures";
import { APP_DATABASE_URL } from "./ports";

const sql = postgres(APP_DATABASE_URL, { max: 1, onnotice: () => {} });
test.afterAll(async () => {
  await sql.end();
});

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a sign-up and a new organization reach Postgres through Clerk's webhooks", async ({
  page,
}) => {
  const email = uniqueEmail("synced");
  await page.goto("/sign-up");
  await signUpWithPassword(page, email);
  await expect(page).toHaveURL(/\/onboarding$/);

  const user = await eventually(
    async () => (await sql`select id from users where email = ${email} and deleted_at is null`)[0],
    "the users row",
  );

  // A user with no organization gets <OrganizationList/>'s create form straight away. Clerk
  // refreshes the page once the new session is active, which empties the form: fill it again
  // until the submit goes through.
  const name = `Synced ${Date.now().toString(36)}`;
  await expect(async () => {
    await page.getByPlaceholder("Organization name").fill(name);
    await page.getByRole("button", { name: "Create organization" }).click({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/orgs\/synced-/);

  const org = await eventually(
    async () => (await sql`select id from organizations where name = ${name}`)[0],
    "the organizations row",
  );
  const membership = await eventually(
    async () =>
      (
        await sql`select role from organization_memberships
          where organization_id = ${org.id} and user_id = ${user.id} and deleted_at is null`
      )[0],
    "the membership row",
  );
  expect(membership.role).toBe("org:admin");

  await expect
    .poll(async () => {
      await page.reload();
      return page.getByRole("region", { name: "Members" }).getByText(email).count();
    })
    .toBeGreaterThan(0);

  const api = await page.request.get("/api/v1/members");
  expect(api.status()).toBe(200);
  const body = await api.json();
  expect(JSON.stringify(body)).toContain(user.id);
});
