import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import {
  type ClerkEvent,
  membershipEvent,
  organizationEvent,
  signedHeaders,
  userEvent,
} from "../../../tests/support/clerk-webhooks";
import { type LoadResult, runLoad, runLoadCounted } from "./load";

// Signed Clerk webhook deliveries, each a new event (its own svix-id), sent by `concurrency`
// senders to the app's receiver; every one answered must be answered 200 and stored.

const run = `bench${randomUUID().slice(0, 8)}`;

// Four events per tenant, in Clerk's order: the user, their organization, the membership that
// makes them its admin, then a profile update.
function events(count: number, tag = run): ClerkEvent[] {
  const out: ClerkEvent[] = [];
  const start = Date.now();
  for (let i = 0; out.length < count; i++) {
    const user = {
      id: `user_${tag}_${i}`,
      email: `${tag}-${i}@example.com`,
      firstName: "Bench",
      lastName: String(i),
      updatedAt: start + i,
    };
    const org = {
      id: `org_${tag}_${i}`,
      name: `Bench ${i}`,
      slug: `${tag}-${i}`,
      updatedAt: start,
    };
    out.push(
      userEvent("user.created", user),
      organizationEvent("organization.created", org),
      membershipEvent("organizationMembership.created", {
        id: `orgmem_${tag}_${i}`,
        organization: org,
        user: { id: user.id },
        role: "org:admin",
        updatedAt: start,
      }),
      userEvent("user.updated", { ...user, firstName: "Benched", updatedAt: start + i + 1 }),
    );
  }
  return out.slice(0, count);
}

export type BurstResult = LoadResult & { events: number };

// Each event signed (signing is the sender's work, not the app's) with its own svix-id.
function signed(list: ClerkEvent[], prefix: string, secret: string) {
  const bodies = list.map((e) => JSON.stringify(e));
  const headerSets = bodies.map((body, i) =>
    signedHeaders(body, { svixId: `${prefix}_${i}`, secret }),
  );
  return { bodies, headerSets };
}

// More new events per second than a server here answers (the most measured: 1,043/s): the list
// a run sends from, each once, signed up front (a 20 s profile holds two such lists).
const EVENTS_PER_SECOND = 2_000;

// New events for `seconds` from `concurrency` senders, before any row is measured: V8 compiles the
// receiver's code only after it has run a while, as every other row's request is sent for a while
// first (scripts/bench.ts). Without it the webhook row measured code not yet compiled: 2.2 to 2.7
// ms of CPU per event for a server's first 2,000 events, 1.0 to 1.4 for the next 2,000.
export async function webhookWarmUp(options: {
  url: string;
  secret: string;
  seconds: number;
  concurrency: number;
}): Promise<void> {
  const list = events(options.seconds * EVENTS_PER_SECOND, `${run}_jit`);
  await runLoad({
    url: options.url,
    method: "POST",
    connections: options.concurrency,
    seconds: options.seconds,
    ...signed(list, `msg_${run}_jit`, options.secret),
  });
}

// New events sent by `concurrency` connections for `seconds`, as the other load rows are
// (autocannon), each event once; every one answered must be answered 200 and stored.
export async function webhookBurst(options: {
  url: string;
  secret: string;
  seconds: number;
  concurrency: number;
  sql: Sql;
}): Promise<BurstResult> {
  const { url, secret, sql } = options;
  const burst = events(options.seconds * EVENTS_PER_SECOND);
  // Warm-up (connections open); its ids are distinct from the burst's.
  const warm = signed(burst.slice(0, 20), `msg_${run}_warm`, secret);
  await runLoad({ url, method: "POST", connections: 4, amount: 20, ...warm });

  const result = await runLoadCounted({
    url,
    method: "POST",
    connections: options.concurrency,
    seconds: options.seconds,
    ...signed(burst, `msg_${run}`, secret),
  });
  if (result.sent > burst.length) {
    throw new Error(
      `webhooks: over ${burst.length} events sent, some twice; raise EVENTS_PER_SECOND`,
    );
  }
  // The events still in flight when the run stopped are stored by now or never.
  let stored = -1;
  for (let last = -2; stored !== last; await new Promise((r) => setTimeout(r, 500))) {
    last = stored;
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from webhook_events where svix_id ~ ${`^msg_${run}_[0-9]+$`}`;
    stored = row?.n ?? 0;
  }
  const answered = result.statuses["200"] ?? 0;
  if (answered !== result.requests || stored < answered || stored > result.sent) {
    const answers = Object.entries(result.statuses)
      .map(([s, n]) => `${n}x ${s}`)
      .join(", ");
    throw new Error(
      `webhooks: ${result.sent} events sent, answered ${answers}, ${result.errors} connection errors, ${stored} stored`,
    );
  }
  const { requests, sent, perSecond, p50, p99 } = result;
  return { events: stored, requests, sent, perSecond, p50, p99 };
}

// The rows the burst wrote (and their warm-up's), children first.
export async function removeWebhookBurstRows(sql: Sql): Promise<void> {
  const like = `%\\_${run}\\_%`;
  await sql`delete from organization_memberships where id like ${like}`;
  await sql`delete from users where id like ${like}`;
  await sql`delete from organizations where id like ${like}`;
  await sql`delete from webhook_events where svix_id like ${like}`;
}
