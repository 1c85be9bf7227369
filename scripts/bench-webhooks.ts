// `npm run bench:webhooks`: how many Clerk webhook deliveries per second the app stores. Builds the
// app, serves it with `next start`, sends a burst of Svix-signed events (users, organizations,
// memberships, user updates) from several concurrent senders, checks every one was stored, prints
// events/s and latencies, and removes its rows again.
//
// Database: DATABASE_URL (from the environment or .env.local; use a real Postgres for a meaningful
// figure), else an in-memory embedded PGlite. Options: --events N (default 2000),
// --concurrency N (default 16), --skip-build (serve the existing .next build).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import postgres from "postgres";
import { runMigrations } from "../src/db/migrate";
import { startApp } from "../tests/support/app-process";
import {
  type ClerkEvent,
  membershipEvent,
  organizationEvent,
  signedHeaders,
  userEvent,
} from "../tests/support/clerk-webhooks";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./lib/embedded-postgres";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    "skip-build": { type: "boolean", default: false },
  },
});
const EVENTS = Number(args.events);
const CONCURRENCY = Number(args.concurrency);
if (!(EVENTS > 0 && CONCURRENCY > 0)) {
  console.error("usage: npm run bench:webhooks -- [--events N] [--concurrency N] [--skip-build]");
  process.exit(2);
}

nextEnv.loadEnvConfig(process.cwd());
const run = `bench${randomUUID().slice(0, 8)}`;

// Four events per tenant, in Clerk's order: the user, their organization, the membership that
// makes them its admin, then a profile update.
function burst(): ClerkEvent[] {
  const events: ClerkEvent[] = [];
  const start = Date.now();
  for (let i = 0; events.length < EVENTS; i++) {
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
    events.push(
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
  return events.slice(0, EVENTS);
}

async function send(url: string, event: ClerkEvent, svixId: string): Promise<number> {
  const body = JSON.stringify(event);
  const res = await fetch(url, { method: "POST", headers: signedHeaders(body, { svixId }), body });
  await res.arrayBuffer();
  return res.status;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", "build"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`)),
    );
  });
}

async function main() {
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ port: 0 });
    databaseUrl = embedded.url;
  }
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    if (!args["skip-build"]) {
      console.log("building the app (next build) ...");
      await build();
    }
    await runMigrations(databaseUrl);
    // The webhook route talks to no Clerk API, so the emulator address given is never called.
    app = await startApp({ emulatorUrl: "http://127.0.0.1:9", databaseUrl });
    const url = `${app.url}/api/webhooks/clerk`;
    const [server] = await sql<{ version: string }[]>`select version()`;
    console.log(
      `database: ${embedded ? "embedded PGlite (in memory)" : "DATABASE_URL"}, ${server?.version}`,
    );

    const events = burst();
    // Warm-up (route compiled, connection pool open); its ids are distinct from the burst's.
    await Promise.all(events.slice(0, 20).map((e, i) => send(url, e, `msg_${run}_warm_${i}`)));

    console.log(`sending ${events.length} signed events, ${CONCURRENCY} at a time ...`);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < events.length) {
          const i = next++;
          const t0 = performance.now();
          const status = await send(url, events[i] as ClerkEvent, `msg_${run}_${i}`);
          latencies.push(performance.now() - t0);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const [stored] = await sql<{ n: number }[]>`
      select count(*)::int as n from webhook_events where svix_id like ${`msg_${run}_%`}
        and svix_id not like ${`msg_${run}_warm_%`}`;
    latencies.sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      [
        "",
        `  events           ${events.length} (${[...statuses].map(([s, n]) => `${n}x ${s}`).join(", ")})`,
        `  stored           ${stored?.n} webhook_events rows`,
        `  time             ${seconds.toFixed(2)} s`,
        `  throughput       ${(events.length / seconds).toFixed(0)} events/s`,
        `  latency          p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`,
        "",
      ].join("\n"),
    );
    if (stored?.n !== events.length || statuses.get(200) !== events.length) {
      throw new Error("not every event was stored: see the counts above");
    }
  } finally {
    await app?.stop();
    // The rows this run wrote, children first.
    const like = `%\\_${run}\\_%`;
    await sql`delete from organization_memberships where id like ${like}`;
    await sql`delete from users where id like ${like}`;
    await sql`delete from organizations where id like ${like}`;
    await sql`delete from webhook_events where svix_id like ${like}`;
    await sql.end();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error("bench:webhooks failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
