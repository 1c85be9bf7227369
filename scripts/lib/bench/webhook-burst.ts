import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import {
  type ClerkEvent,
  membershipEvent,
  organizationEvent,
  signedHeaders,
  userEvent,
} from "../../../tests/support/clerk-webhooks";
import { percentile } from "./stats";

// Signed Clerk webhook deliveries, each a new event (its own svix-id), sent by `concurrency`
// senders to the app's receiver; every one must be answered 200 and stored.

const run = `bench${randomUUID().slice(0, 8)}`;

// Four events per tenant, in Clerk's order: the user, their organization, the membership that
// makes them its admin, then a profile update.
function events(count: number): ClerkEvent[] {
  const out: ClerkEvent[] = [];
  const start = Date.now();
  for (let i = 0; out.length < count; i++) {
    const user = {
      id: `user_${run}_${i}`,
      email: `${run}-${i}@example.com`,
      firstName: "Bench",
      lastName: String(i),
      updatedAt: start + i,
    };
    const org = {
      id: `org_${run}_${i}`,
      name: `Bench ${i}`,
      slug: `${run}-${i}`,
      updatedAt: start,
    };
    out.push(
      userEvent("user.created", user),
      organizationEvent("organization.created", org),
      membershipEvent("organizationMembership.created", {
        id: `orgmem_${run}_${i}`,
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

async function deliver(url: string, secret: string, event: ClerkEvent, svixId: string) {
  const body = JSON.stringify(event);
  const res = await fetch(url, {
    method: "POST",
    headers: signedHeaders(body, { svixId, secret }),
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

export type BurstResult = { events: number; perSecond: number; p50: number; p99: number };

export async function webhookBurst(options: {
  url: string;
  secret: string;
  count: number;
  concurrency: number;
  sql: Sql;
}): Promise<BurstResult> {
  const { url, secret, sql } = options;
  const burst = events(options.count);
  // Warm-up (route compiled, connection pool open); its ids are distinct from the burst's.
  await Promise.all(
    burst.slice(0, 20).map((e, i) => deliver(url, secret, e, `msg_${run}_warm_${i}`)),
  );

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < burst.length) {
        const i = next++;
        const t0 = performance.now();
        const status = await deliver(url, secret, burst[i] as ClerkEvent, `msg_${run}_${i}`);
        latencies.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const [stored] = await sql<{ n: number }[]>`
    select count(*)::int as n from webhook_events where svix_id like ${`msg_${run}_%`}
      and svix_id not like ${`msg_${run}_warm_%`}`;
  if (stored?.n !== burst.length || statuses.get(200) !== burst.length) {
    const answers = [...statuses].map(([s, n]) => `${n}x ${s}`).join(", ");
    throw new Error(
      `webhooks: ${burst.length} events sent, answered ${answers}, ${stored?.n} stored`,
    );
  }
  latencies.sort((a, b) => a - b);
  return {
    events: burst.length,
    perSecond: burst.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

// The rows the burst wrote (and their warm-up's), children first.
export async function removeWebhookBurstRows(sql: Sql): Promise<void> {
  const like = `%\\_${run}\\_%`;
  await sql`delete from organization_memberships where id like ${like}`;
  await sql`delete from users where id like ${like}`;
  await sql`delete from organizations where id like ${like}`;
  await sql`delete from webhook_events where svix_id like ${like}`;
}
