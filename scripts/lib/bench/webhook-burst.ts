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

export type BurstResult = LoadResult & { events: number };

// Every event signed first (signing is the sender's work, not the app's), then sent by
// `concurrency` connections as the other load rows are (autocannon), each event once.
export async function webhookBurst(options: {
  url: string;
  secret: string;
  count: number;
  concurrency: number;
  sql: Sql;
}): Promise<BurstResult> {
  const { url, secret, sql } = options;
  const burst = events(options.count);
  const signed = (prefix: string, list: ClerkEvent[]) => {
    const bodies = list.map((e) => JSON.stringify(e));
    const headerSets = bodies.map((body, i) =>
      signedHeaders(body, { svixId: `${prefix}_${i}`, secret }),
    );
    return { bodies, headerSets };
  };
  // Warm-up (route compiled, connection pool open); its ids are distinct from the burst's.
  const warm = signed(`msg_${run}_warm`, burst.slice(0, 20));
  await runLoad({ url, method: "POST", connections: 4, amount: 20, ...warm });

  const result = await runLoadCounted({
    url,
    method: "POST",
    connections: options.concurrency,
    amount: burst.length,
    ...signed(`msg_${run}`, burst),
  });
  const [stored] = await sql<{ n: number }[]>`
    select count(*)::int as n from webhook_events where svix_id like ${`msg_${run}_%`}
      and svix_id not like ${`msg_${run}_warm_%`}`;
  if (stored?.n !== burst.length || result.statuses["200"] !== burst.length) {
    const answers = Object.entries(result.statuses)
      .map(([s, n]) => `${n}x ${s}`)
      .join(", ");
    throw new Error(
      `webhooks: ${burst.length} events sent, answered ${answers}, ${result.errors} connection errors, ${stored?.n} stored`,
    );
  }
  const { requests, sent, perSecond, p50, p99 } = result;
  return { events: burst.length, requests, sent, perSecond, p50, p99 };
}

// The rows the burst wrote (and their warm-up's), children first.
export async function removeWebhookBurstRows(sql: Sql): Promise<void> {
  const like = `%\\_${run}\\_%`;
  await sql`delete from organization_memberships where id like ${like}`;
  await sql`delete from users where id like ${like}`;
  await sql`delete from organizations where id like ${like}`;
  await sql`delete from webhook_events where svix_id like ${like}`;
}
