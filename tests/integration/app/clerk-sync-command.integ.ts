import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../../scripts/lib/embedded-postgres";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

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

function clerkSync(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/clerk-sync.ts"], {
      cwd: ROOT,
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH,
        CLERK_SECRET_KEY: TEST_SECRET_KEY,
        CLERK_API_URL: emulator.url,
        DATABASE_URL: db.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
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
});
