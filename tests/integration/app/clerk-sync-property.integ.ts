import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyClerkEvents } from "../../../src/webhooks/clerk-batch";
import { parseClerkEvent } from "../../../src/webhooks/clerk-events";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { type History, type Operation, simulateClerk } from "../../support/clerk-history";

// Property: however Svix delivers a history of Clerk events (any order, any message several
// times, several at once) and however the receiver groups them into transactions, the database
// ends in the history's final state, and the audit log holds each membership event once. Runs the
// real parser and the real transactions against the real database; only the HTTP hop is left out
// (the integration tests cover it).

let database: AppDatabase;
beforeAll(() => {
  database = connectAppDatabase(inject("databaseUrl"));
});
afterAll(async () => {
  await database?.close();
});

const USERS = 3;
const ORGS = 2;
const user = fc.integer({ min: 0, max: USERS - 1 });
const org = fc.integer({ min: 0, max: ORGS - 1 });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("createUser" as const), user }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("updateUser" as const), user }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("deleteUser" as const), user }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("signIn" as const), user }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("createOrganization" as const), org }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("updateOrganization" as const), org }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("deleteOrganization" as const), org }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant("join" as const), org, user, admin: fc.boolean() }),
    weight: 10,
  },
  { arbitrary: fc.record({ op: fc.constant("changeRole" as const), org, user }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("leave" as const), org, user }), weight: 5 },
);

const CREATIONS: Operation[] = [
  ...Array.from({ length: USERS }, (_, user) => ({ op: "createUser" as const, user })),
  ...Array.from({ length: ORGS }, (_, org) => ({ op: "createOrganization" as const, org })),
];

// A history, and how Svix delivers it: every event at least once, some again (same svix-id), in
// any order, `parallel` at a time. Deliveries are indexes into the history's events.
const scenario = fc
  .record({
    // Most users and organizations exist early, so that most operations have something to act on.
    creations: fc.shuffledSubarray(CREATIONS, { minLength: 4 }),
    operations: fc.array(operation, { minLength: 5, maxLength: 40, size: "max" }),
    cascadeEvents: fc.boolean(),
  })
  .map(({ creations, operations, cascadeEvents }) => ({
    operations: [...creations, ...operations],
    cascadeEvents,
  }))
  .chain(({ operations, cascadeEvents }) => {
    const indexes = simulateClerk("size", operations, cascadeEvents).events.map((_, i) => i);
    const duplicates =
      indexes.length === 0
        ? fc.constant([])
        : fc.array(fc.constantFrom(...indexes), { maxLength: indexes.length });
    return fc.record({
      operations: fc.constant(operations),
      cascadeEvents: fc.constant(cascadeEvents),
      deliveries: duplicates.chain((extra) => {
        const all = [...indexes, ...extra];
        return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
      }),
      parallel: fc.integer({ min: 1, max: 4 }),
      // Deliveries per transaction (src/webhooks/clerk-batch.ts), 1 as the receiver idle.
      batch: fc.integer({ min: 1, max: 8 }),
    });
  });

let runs = 0;

// What Svix does with a 5xx: deliver the same messages again (here at once, a few times).
async function deliver(history: History, indexes: number[]): Promise<void> {
  const deliveries = indexes.map((index) => {
    const { svixId, event } = history.events[index] as History["events"][number];
    const parsed = parseClerkEvent(JSON.parse(JSON.stringify(event)));
    if (parsed.kind !== "handled") throw new Error(`${event.type} was not handled: ${parsed.kind}`);
    return { svixId, eventType: parsed.type, change: parsed.change, requestId: null };
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await applyClerkEvents(database.db, deliveries);
      return;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
}

async function storedState(history: History) {
  const { sql } = database;
  const userIds = history.users.map((u) => u.id);
  const orgIds = history.organizations.map((o) => o.id);
  const users = await sql`
    select id, email, first_name, last_name, last_sign_in_at, deleted_at is not null as deleted
    from users where id = any(${userIds}) order by id`;
  const organizations = await sql`
    select id, name, slug, deleted_at is not null as deleted
    from organizations where id = any(${orgIds}) order by id`;
  const memberships = await sql`
    select id, organization_id, user_id, role, deleted_at is not null as deleted
    from organization_memberships where organization_id = any(${orgIds})
    order by organization_id, user_id`;
  const projects = await sql`
    select tenant_id from projects where tenant_id = any(${[...userIds, ...orgIds]})
    order by tenant_id`;
  const audit = await sql`
    select kind, target_id from audit_events
    where tenant_id = any(${orgIds}) and kind in ('membership.created', 'membership.deleted')`;
  return {
    users: users.map((u) => ({ ...u, last_sign_in_at: u.last_sign_in_at?.getTime() ?? null })),
    organizations: [...organizations],
    memberships: [...memberships],
    projects: projects.map((p) => p.tenant_id),
    audit: audit.map((a) => `${a.kind} ${a.target_id}`).sort(),
  };
}

function expectedState(history: History) {
  const byId = <T extends { id: string }>(rows: T[]) =>
    [...rows].sort((a, b) => a.id.localeCompare(b.id));
  return {
    users: byId(history.users),
    organizations: byId(history.organizations),
    memberships: [...history.memberships].sort(
      (a, b) =>
        a.organization_id.localeCompare(b.organization_id) || a.user_id.localeCompare(b.user_id),
    ),
    // One project per tenant was there before; a deleted tenant's is gone.
    projects: [...history.users, ...history.organizations]
      .filter((t) => !t.deleted)
      .map((t) => t.id)
      .sort(),
    // Each membership added or removed is in the audit log once per event, however often it was
    // delivered.
    audit: history.events
      .flatMap(({ event }) => {
        const kind = {
          "organizationMembership.created": "membership.created",
          "organizationMembership.deleted": "membership.deleted",
        }[event.type];
        return kind ? [`${kind} ${event.data.id}`] : [];
      })
      .sort(),
  };
}

describe("webhook sync", () => {
  it("ends in each history's final state whatever the order, duplication, concurrency and batching of deliveries", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ operations, cascadeEvents, deliveries, parallel, batch }) => {
          // Fresh ids for every run, shrinking runs included: the database is shared and kept.
          runs += 1;
          const history = simulateClerk(`p${process.pid}r${runs}`, operations, cascadeEvents);
          const tenants = [...history.users, ...history.organizations].map((t) => t.id);
          for (const tenantId of tenants) {
            await database.sql`
            insert into projects (tenant_id, name, created_by) values (${tenantId}, 'P', 'test')`;
          }
          const batches: number[][] = [];
          for (let i = 0; i < deliveries.length; i += batch) {
            batches.push(deliveries.slice(i, i + batch));
          }
          for (let i = 0; i < batches.length; i += parallel) {
            await Promise.all(batches.slice(i, i + parallel).map((b) => deliver(history, b)));
          }
          expect(await storedState(history)).toEqual(expectedState(history));
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
