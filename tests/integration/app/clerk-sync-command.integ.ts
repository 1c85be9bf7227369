import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../../scripts/lib/embedded-postgres";
import { writeSubscriptionItems } from "../../../src/webhooks/billing-sync";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import {
  clerkFor,
  emulatorRequest,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";
import { runScript, type ScriptRun } from "../../support/run-script";

// Its own database: the command tombstones every row Clerk does not know, which in the shared
// test database would be the other suites' rows. The emulator sends no webhooks, so whatever the
// database learns comes from the command.
let db: EmbeddedPostgres;
let database: AppDatabase;
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  db = await startEmbeddedPostgres({ port: 0 });
  database = connectAppDatabase(db.url);
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await database?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await db?.stop();
});

function clerkSync(): Promise<ScriptRun> {
  return runScript("clerk-sync", [], {
    NODE_ENV: "production",
    CLERK_SECRET_KEY: TEST_SECRET_KEY,
    CLERK_API_URL: emulator.url,
    DATABASE_URL: db.url,
  });
}

// The organization's subscription items as stored, oldest period first.
async function storedItems(organizationId: string) {
  const rows = await database.sql`
    select id, plan_slug, status from subscription_items
    where organization_id = ${organizationId} order by period_start, created_at`;
  return rows.map((r) => ({ id: r.id, plan: r.plan_slug, status: r.status }));
}

async function liveMembers(organizationId: string) {
  const rows = await database.sql`
    select u.email, m.role from organization_memberships m join users u on u.id = m.user_id
    where m.organization_id = ${organizationId} and m.deleted_at is null order by u.email`;
  return rows.map((r) => `${r.email} ${r.role}`);
}

describe("npm run clerk:sync", () => {
  it("copies Clerk's users, organizations and memberships into an empty database", async () => {
    const emails = [`${unique("a")}@example.com`, `${unique("b")}@example.com`];
    const [a, b] = await Promise.all(
      emails.map((email) => clerk.users.createUser({ emailAddress: [email], firstName: "Sync" })),
    );
    if (!a || !b) throw new Error("users not created");
    const org = await clerk.organizations.createOrganization({ name: "Synced", createdBy: a.id });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: b.id,
      role: "org:member",
    });

    const run = await clerkSync();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("users: 2 of 2 synced");
    expect(run.output).toContain("organizations: 1 of 1 synced");
    expect(run.output).toContain("memberships: 2 of 2 synced");
    expect(await liveMembers(org.id)).toEqual(
      [`${emails[0]} org:admin`, `${emails[1]} org:member`].sort(),
    );
    const [stored] = await database.sql`select name, slug from organizations where id = ${org.id}`;
    expect(stored).toEqual({ name: "Synced", slug: org.slug });
  });

  it("updates what changed and tombstones what Clerk no longer has, and a second run changes nothing", async () => {
    const keep = await clerk.users.createUser({ emailAddress: [`${unique("keep")}@example.com`] });
    const leave = await clerk.users.createUser({ emailAddress: [`${unique("gone")}@example.com`] });
    const org = await clerk.organizations.createOrganization({
      name: "Before",
      createdBy: keep.id,
    });
    const doomed = await clerk.organizations.createOrganization({
      name: "Doomed",
      createdBy: keep.id,
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: leave.id,
      role: "org:member",
    });
    expect((await clerkSync()).code).toBe(0);
    await database.sql`
      insert into projects (tenant_id, name, created_by) values (${doomed.id}, 'Old', ${keep.id})`;

    // Changes the database hears nothing about (no webhooks).
    await clerk.organizations.updateOrganization(org.id, { name: "After" });
    await clerk.organizations.deleteOrganization(doomed.id);
    await clerk.users.deleteUser(leave.id);

    const run = await clerkSync();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("tombstoned 1 user(s), 1 organization(s)");
    const [renamed] = await database.sql`select name from organizations where id = ${org.id}`;
    expect(renamed?.name).toBe("After");
    const [gone] = await database.sql`select email, deleted_at from users where id = ${leave.id}`;
    expect(gone).toMatchObject({ email: null, deleted_at: expect.any(Date) });
    const [deletedOrg] = await database.sql`
      select deleted_at from organizations where id = ${doomed.id}`;
    expect(deletedOrg?.deleted_at).toBeInstanceOf(Date);
    expect(await database.sql`select id from projects where tenant_id = ${doomed.id}`).toHaveLength(
      0,
    );
    expect(await liveMembers(org.id)).toEqual([
      `${keep.emailAddresses[0]?.emailAddress} org:admin`,
    ]);

    const again = await clerkSync();
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain("tombstoned 0 user(s), 0 organization(s), 0 membership(s)");
  });

  it("brings an organization's plan to its Clerk Billing subscription, which no webhook delivered", async () => {
    const owner = await clerk.users.createUser({
      emailAddress: [`${unique("payer")}@example.com`],
    });
    const org = await clerk.organizations.createOrganization({
      name: "Payer",
      createdBy: owner.id,
    });
    const first = await clerkSync();
    expect(first.code, first.output).toBe(0);
    const [free] = await storedItems(org.id);
    expect(await storedItems(org.id)).toEqual([
      { id: free?.id, plan: "free_org", status: "active" },
    ]);
    const [freeAsStored] = await database.sql`
      select subscription_id, period_start, clerk_updated_at from subscription_items
      where id = ${free?.id as string}`;

    // An upgrade at Clerk (what the checkout drawer does), its webhooks lost: Clerk's subscription
    // now lists only the Team item (the Free one ended and left it).
    await subscribeOrganization(emulator.url, org.id, "team");
    const upgraded = await clerkSync();
    expect(upgraded.code, upgraded.output).toBe(0);
    expect(upgraded.output).toMatch(/subscriptions: \d+ of \d+ organization\(s\) synced/);
    expect(upgraded.output).toContain("ended 1 subscription item(s) no longer in Clerk's");
    const afterUpgrade = await storedItems(org.id);
    expect(afterUpgrade).toEqual([
      { id: free?.id, plan: "free_org", status: "ended" },
      { id: expect.any(String), plan: "team", status: "active" },
    ]);
    const team = afterUpgrade[1]?.id as string;

    // The Free item's `subscriptionItem.active` from before the upgrade, delivered late, does not
    // bring it back: the ended row holds the time of the subscription it was read from.
    await database.db.transaction((tx) =>
      writeSubscriptionItems(tx, [
        {
          id: free?.id as string,
          subscriptionId: freeAsStored?.subscription_id,
          organizationId: org.id,
          planSlug: "free_org",
          planName: "Free",
          interval: "month",
          status: "active",
          periodStart: freeAsStored?.period_start,
          periodEnd: null,
          updatedAt: freeAsStored?.clerk_updated_at,
        },
      ]),
    );
    expect(await storedItems(org.id)).toEqual(afterUpgrade);

    // A downgrade is scheduled for the period's end: Team stays in force (canceled), Free is next.
    await subscribeOrganization(emulator.url, org.id, "free_org");
    expect((await clerkSync()).code).toBe(0);
    expect(await storedItems(org.id)).toEqual([
      { id: free?.id, plan: "free_org", status: "ended" },
      { id: team, plan: "team", status: "canceled" },
      { id: expect.any(String), plan: "free_org", status: "upcoming" },
    ]);

    // The period ends: Team leaves Clerk's subscription, Free is in force.
    const ended = await emulatorRequest(
      emulator.url,
      "POST",
      `/__emulator/billing/organizations/${org.id}/end_period`,
    );
    expect(ended.status).toBe(200);
    const downgraded = await clerkSync();
    expect(downgraded.code, downgraded.output).toBe(0);
    expect(downgraded.output).toContain("ended 1 subscription item(s)");
    const afterDowngrade = await storedItems(org.id);
    expect(afterDowngrade.map((i) => `${i.plan} ${i.status}`)).toEqual([
      "free_org ended",
      "team ended",
      "free_org active",
    ]);

    const again = await clerkSync();
    expect(again.output).toContain("ended 0 subscription item(s)");
    expect(await storedItems(org.id)).toEqual(afterDowngrade);
  });

  it("leaves subscription rows a webhook wrote after Clerk's subscription was read", async () => {
    const owner = await clerk.users.createUser({ emailAddress: [`${unique("late")}@example.com`] });
    const org = await clerk.organizations.createOrganization({ name: "Late", createdBy: owner.id });
    await subscribeOrganization(emulator.url, org.id, "team");
    expect((await clerkSync()).code).toBe(0);
    const [team] = await storedItems(org.id);
    expect(team).toMatchObject({ plan: "team", status: "active" });

    // Newer than the subscription the next run reads: an item of a later checkout, and the Team
    // item's own later change (as their events would store them).
    const later = new Date(Date.now() + 60_000);
    await database.sql`
      update subscription_items set status = 'past_due', clerk_updated_at = ${later}
      where id = ${team?.id as string}`;
    await database.sql`
      insert into subscription_items (id, subscription_id, organization_id, plan_slug, plan_name,
        interval, status, period_start, clerk_updated_at)
      values ('csubi_later', 'csub_later', ${org.id}, 'business', 'Business', 'month', 'upcoming',
        ${later}, ${later})`;

    const run = await clerkSync();
    expect(run.code, run.output).toBe(0);
    expect(await storedItems(org.id)).toEqual([
      { id: team?.id, plan: "team", status: "past_due" },
      { id: "csubi_later", plan: "business", status: "upcoming" },
    ]);
  });
});
