import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import { clerkFor, subscribeOrganization, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { runScript, type ScriptRun } from "../../support/run-script";
import { type ScratchDatabase, startScratchDatabase } from "../../support/scratch-database";

// The app as a machine of its deployment: `npm run job:reconcile` (a scheduled job, a machine of
// its own) mints an M2M token and calls POST /api/internal/reconcile, which Clerk lets it call only
// with a scope to the app's machine. The app, the job and the emulator run as they do for real.

let database: ScratchDatabase;
let sql: postgres.Sql;
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
let app: AppProcess;
type Machine = { id: string; secret: string };
let job: Machine;
let stranger: Machine;
let orgId: string;
let userId: string;

beforeAll(async () => {
  // Its own database: reconciling tombstones every row this emulator does not know.
  database = await startScratchDatabase("machine_jobs");
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
  const machine = async (name: string, scopedMachines: string[] = []) => {
    const m = await clerk.machines.create({ name: unique(name), scopedMachines });
    return { id: m.id, secret: m.secretKey as string };
  };
  const appMachine = await machine("app");
  job = await machine("reconcile-job", [appMachine.id]);
  stranger = await machine("stranger");
  app = await startApp({
    emulator,
    databaseUrl: database.url,
    env: { CLERK_MACHINE_SECRET_KEY: appMachine.secret },
  });
  userId = (await clerk.users.createUser({ emailAddress: [`${unique("owner")}@example.com`] })).id;
  orgId = (await clerk.organizations.createOrganization({ name: "Jobs Inc", createdBy: userId }))
    .id;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, orgId, "team");
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await database?.drop();
});

// `npm run job:reconcile` as an operator's scheduler runs it: its own process and environment.
function jobReconcile(env: Record<string, string>, args: string[] = []): Promise<ScriptRun> {
  return runScript("job-reconcile", args, {
    NODE_ENV: "production",
    APP_URL: app.url,
    CLERK_API_URL: emulator.url,
    JOB_MACHINE_SECRET_KEY: job.secret,
    ...env,
  });
}

describe("npm run job:reconcile", () => {
  it("converges the database as the job's machine, with an opaque or a JWT-format token", async () => {
    const opaque = await jobReconcile({});
    expect(opaque.output).toContain(`as machine ${job.id} (opaque token`);
    expect(opaque.output).toContain("users: 1 in Clerk, 0 tombstoned");
    expect(opaque.output).toContain("organizations: 1 in Clerk, 0 tombstoned");
    expect(opaque.output).toContain("memberships: 1 in Clerk, 0 tombstoned");
    expect(opaque.output).toContain("subscriptions: 1 in Clerk, 0 item(s) ended");
    expect(opaque.code).toBe(0);
    const [org] = await sql`select name from organizations where id = ${orgId}`;
    expect(org?.name).toBe("Jobs Inc");

    const jwt = await jobReconcile({}, ["--jwt"]);
    expect(jwt.output).toContain("(jwt token");
    expect(jwt.code).toBe(0);

    // The request log names the machine and its token's id, never the token.
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.includes('"route":"/api/internal/reconcile"') && l.includes('"status":200'));
    expect(lines.length).toBe(2);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ token_type: "m2m_token", machine_id: job.id });
    }
    // Token ids are mt_ and 32 hex digits; the tokens themselves, opaque or JWT, appear nowhere.
    expect(app.output()).not.toMatch(/mt_(?![0-9a-f]{32}\b)\w{32}|eyJ[\w-]+\.eyJ/);
  });

  it("tombstones a member Clerk no longer has, once, recording the job's machine as who did it", async () => {
    // A membership the database holds and Clerk does not (its webhook was lost, say).
    const former = (
      await clerk.users.createUser({ emailAddress: [`${unique("former")}@example.com`] })
    ).id;
    const ghost = `orgmem_${unique("ghost").replace(/\W/g, "")}`;
    await sql`insert into users (id) values (${former})`;
    await sql`insert into organization_memberships (id, organization_id, user_id, role)
      values (${ghost}, ${orgId}, ${former}, 'org:member')`;
    const first = await jobReconcile({});
    expect(first.output).toContain("memberships: 1 in Clerk, 1 tombstoned");
    const [row] = await sql`select deleted_at from organization_memberships where id = ${ghost}`;
    expect(row?.deleted_at).not.toBeNull();

    const events = await sql`select kind, actor_type, actor_id, tenant_id, changes, request_id
      from audit_events where target_id = ${ghost}`;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: "membership.deleted",
      actor_type: "machine",
      actor_id: job.id,
      tenant_id: orgId,
      changes: { user_id: former, role: "org:member", reconciled: true },
    });
    expect(events[0]?.request_id).toBeTruthy();

    // Seen through the API, by the organization.
    const key = await clerk.apiKeys.create({
      name: "audit",
      subject: orgId,
      scopes: ["audit:read"],
    });
    const listed = await fetch(`${app.url}/api/v1/audit-events?kind=membership.deleted`, {
      headers: { authorization: `Bearer ${key.secret}` },
    }).then((r) => r.json());
    expect(listed.data[0]).toMatchObject({ actor: { type: "machine", id: job.id, name: null } });

    // Idempotent: nothing left to do, nothing recorded twice.
    const again = await jobReconcile({});
    expect(again.output).toContain("memberships: 1 in Clerk, 0 tombstoned");
    expect(await sql`select 1 from audit_events where target_id = ${ghost}`).toHaveLength(1);
  });

  it("moves an organization to the plan Clerk bills it for when no webhook said so, and back", async () => {
    const owner = (
      await clerk.users.createUser({ emailAddress: [`${unique("payer")}@example.com`] })
    ).id;
    const org = (
      await clerk.organizations.createOrganization({ name: "Plans Inc", createdBy: owner })
    ).id;
    // An organization key carries no plan: the app reads its organization's from the database.
    const key = await clerk.apiKeys.create({
      name: unique("plan"),
      subject: org,
      scopes: ["projects:read"],
    });
    const listProjects = async () => {
      const res = await fetch(`${app.url}/api/v1/projects`, {
        headers: { authorization: `Bearer ${key.secret}` },
      });
      return { status: res.status, body: await res.json() };
    };
    const planItems = async () =>
      (
        await sql`select plan_slug, status from subscription_items
          where organization_id = ${org} order by period_start, created_at`
      ).map((r) => `${r.plan_slug} ${r.status}`);

    expect((await jobReconcile({})).code).toBe(0);
    expect(await planItems()).toEqual(["free_org active"]);
    expect(await listProjects()).toMatchObject({
      status: 403,
      body: { missing_feature: "organization_api_keys" },
    });

    // Upgraded at Clerk; the emulator here delivers no webhooks, so the database still says Free
    // (a refused key would read the plan again from Clerk: billing.integ.ts; not asked here).
    await subscribeOrganization(emulator.url, org, "team");
    expect(await planItems()).toEqual(["free_org active"]);
    const upgrade = await jobReconcile({});
    expect(upgrade.code, upgrade.output).toBe(0);
    expect(upgrade.output).toContain("subscriptions: 2 in Clerk, 1 item(s) ended");
    expect(await planItems()).toEqual(["free_org ended", "team active"]);
    expect((await listProjects()).status).toBe(200);

    // Canceled at Clerk, effective now: Team ends and Free takes over.
    const subscription = await clerk.billing.getOrganizationBillingSubscription(org);
    const team = subscription.subscriptionItems.find((i) => i.plan?.slug === "team");
    await clerk.billing.cancelSubscriptionItem(team?.id as string, { endNow: true });
    const cancel = await jobReconcile({});
    expect(cancel.output).toContain("subscriptions: 2 in Clerk, 1 item(s) ended");
    expect(await planItems()).toEqual(["free_org ended", "team ended", "free_org active"]);
    expect((await listProjects()).status).toBe(403);
  });

  // (Every way in and out of the machine route is in auth-matrix.integ.ts; this is what the job says.)
  it("is refused for a machine with no scope to the app's machine, and says what to grant", async () => {
    const jwt = await jobReconcile({ JOB_MACHINE_SECRET_KEY: stranger.secret }, ["--jwt"]);
    expect(jwt.code).toBe(1);
    expect(jwt.output).toContain("answered 403");
    expect(jwt.output).toContain(`machine ${stranger.id} no scope to this app's machine`);
    expect(jwt.output).toContain("needs a scope to the app's machine");
  });

  it("says which precondition failed, and exits 2", async () => {
    const unknown = await jobReconcile({
      JOB_MACHINE_SECRET_KEY: "ak_not_a_machine_secret_key_000",
    });
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.output).toContain("does not know JOB_MACHINE_SECRET_KEY");

    const down = await jobReconcile({ APP_URL: "http://127.0.0.1:9" });
    expect(down).toMatchObject({ code: 2 });
    expect(down.output).toContain("the app does not answer at http://127.0.0.1:9");

    const help = await jobReconcile({}, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.output).toContain("Usage: npm run job:reconcile");
  });

  // Another instance holding the lock is a second session of the database server; the embedded
  // one serves every client in one session, where advisory locks do not exclude each other.
  it.skipIf(!process.env.DATABASE_URL)(
    "starts no second reconciliation while one runs (409), which the job reports as skipped",
    async () => {
      const holder = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        await holder`select pg_advisory_lock(${0x7265636f})`;
        const run = await jobReconcile({});
        expect(run.output).toContain("job:reconcile skipped: A reconciliation is running already");
        expect(run.code).toBe(0);
      } finally {
        await holder.end();
      }
    },
  );
});
