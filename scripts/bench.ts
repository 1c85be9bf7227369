// `npm run bench`: what a request costs, measured in one run on this machine. Builds the app if
// `.next` is missing or older than its sources, starts the database (DATABASE_URL, else an
// in-memory embedded PGlite), a Clerk emulator with the dev seed and the production server as
// `npm start` runs it (scripts/serve.ts in front of Next's handler), then measures
// each route at a fixed concurrency, the session and API-key rows again with Clerk far away
// (the emulator answering after EMULATOR_LATENCY_MS), signed webhook ingestion, times to first
// byte, the emulator's API-key verification with 10 and 10,000 keys, and `npm run dev`'s cold
// start, and prints one Markdown table (README "Performance" explains how to read it). It removes
// what it creates.
//
// Options: --connections N (16), --duration SECONDS per load row (10), --clerk-latency MS (50),
// --skip-cold-start.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import nextEnv from "@next/env";
import postgres from "postgres";
import { runMigrations } from "../src/db/migrate";
import { emulatorRequest } from "../tests/support/emulator-client";
import { TEST_WEBHOOK_SECRET } from "../tests/support/emulator-process";
import { type AppStack, startAppStack } from "./lib/bench/app-stack";
import { buildIfStale } from "./lib/bench/build-freshness";
import { openBenchDatabase } from "./lib/bench/database";
import { devColdStart } from "./lib/bench/dev-cold-start";
import { emulatorVerifyRate } from "./lib/bench/emulator-verify";
import { timeToFirstByte } from "./lib/bench/first-byte";
import { type Load, type LoadResult, runLoad } from "./lib/bench/load";
import { processCpuMs } from "./lib/bench/process-cpu";
import { formatLayers, formatTable, type Layer, type Row } from "./lib/bench/report";
import { removeWebhookBurstRows, webhookBurst, webhookWarmUp } from "./lib/bench/webhook-burst";
import { commandArgs, usageError } from "./lib/command-args";

const USAGE = `usage: npm run bench -- [options]

Measures what a request costs on this machine (a production build, an emulator, a database of its
own; see README "Performance") and prints one Markdown table.
  --connections N       concurrent connections per load row (16)
  --duration SECONDS    length of each load row (10)
  --clerk-latency MS    the emulator's added delay for the rows with Clerk far away (50)
  --skip-cold-start     leave out \`npm run dev\`'s cold start
  --help                this text`;
const args = commandArgs(
  {
    connections: { type: "string", default: "16" },
    duration: { type: "string", default: "10" },
    "clerk-latency": { type: "string", default: "50" },
    "skip-cold-start": { type: "boolean", default: false },
  },
  USAGE,
);
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.duration);
const CLERK_LATENCY_MS = Number(args["clerk-latency"]);
if (![CONNECTIONS, SECONDS, CLERK_LATENCY_MS].every((n) => Number.isInteger(n) && n > 0)) {
  usageError(
    `--connections, --duration and --clerk-latency take whole numbers above 0.\n\n${USAGE}`,
  );
}

const ROOT = process.cwd();
nextEnv.loadEnvConfig(ROOT);
// This script's own @clerk/backend client talks to the emulator only.
process.env.CLERK_TELEMETRY_DISABLED = "1";
// The app's limits (requests per minute per credential, failed credentials per minute per client
// address) are set out of reach: the bench measures the app, not its limiter.
const RATE_LIMITS = { API_RATE_LIMIT: "100000000", AUTH_FAILURE_LIMIT: "100000000" };
const RATE_LIMITS_TEXT = Object.entries(RATE_LIMITS)
  .map(([name, value]) => `${name}=${value}`)
  .join(", ");
const TTFB_SAMPLES = 50;
const WARM_UP_PER_CONNECTION = 5;
// Before the first row, each row's request is sent for this long: V8 compiles a server's hot code
// only after it has run a while, so without it the first rows measure an interpreter the later
// rows no longer meet (measured: /api/v1/me with a session at 599 req/s as the fourth row, 774
// req/s as the ninth, on a quiet machine).
const JIT_WARM_UP_SECONDS = 2;
const KEY_COUNTS = [10, 10_000];
const STEPS = 1 + 8 + 2 + 2 + KEY_COUNTS.length + (args["skip-cold-start"] ? 0 : 1);

let step = 0;
const log = (line: string) => console.log(`bench: ${line}`);
const progress = (what: string) => log(`[${++step}/${STEPS}] ${what} ...`);
const fmt = (v: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(v);
const summary = (r: { perSecond: number; p50: number; p99: number }) =>
  `${fmt(r.perSecond)}/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const JSON_BODY = { "content-type": "application/json" };

type Target = Omit<Load, "connections" | "seconds" | "amount">;

// A warm-up (compiled routes, open pools, cached JWKS) of a few requests per connection, all
// answered, so none is left over to blur what follows.
const warmUp = (target: Target) =>
  runLoad({ ...target, connections: CONNECTIONS, amount: CONNECTIONS * WARM_UP_PER_CONNECTION });
const measureLoad = (target: Target) =>
  runLoad({ ...target, connections: CONNECTIONS, seconds: SECONDS });

// Backend API requests the emulator counted for the requests `measure` sent, and the app's CPU
// time, per request. A load run stops with requests in flight, which the app still finishes (and
// counts): both are read once the count has stood still for twice the run's p99 latency, and
// divided by all requests sent.
async function costPerRequest<T extends { sent: number; p99: number }>(
  stack: AppStack,
  measure: () => Promise<T>,
): Promise<T & { clerkCalls: number; cpuMs?: number }> {
  await emulatorRequest(stack.emulatorUrl, "DELETE", "/__emulator/stats");
  const cpuBefore = processCpuMs(stack.appPid);
  const result = await measure();
  const calls = await settledCallCount(stack.emulatorUrl, Math.max(1_000, 2 * result.p99));
  const cpuAfter = processCpuMs(stack.appPid);
  const cpuMs =
    cpuBefore === null || cpuAfter === null ? undefined : (cpuAfter - cpuBefore) / result.sent;
  return { ...result, clerkCalls: calls / result.sent, cpuMs };
}

async function settledCallCount(emulatorUrl: string, stillForMs: number): Promise<number> {
  const count = async () =>
    (await emulatorRequest(emulatorUrl, "GET", "/__emulator/stats")).body.total as number;
  let last = await count();
  for (let still = 0; still < stillForMs; still += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await count();
    if (now !== last) still = -250;
    last = now;
  }
  return last;
}

// The app's rows: the production server against its own emulator and the bench database.
type Measured = { rows: Row[]; layers: Layer[]; farKey: string };

async function measureApp(databaseUrl: string): Promise<Measured> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  let started: AppStack | undefined;
  try {
    started = await startAppStack({ databaseUrl, env: RATE_LIMITS, log });
    const stack = started;
    log(`limits: ${RATE_LIMITS_TEXT} (out of reach); the bench signs its own webhooks`);
    const { appUrl, sessionToken, readKey, writeKey } = stack;
    const landing = await fetch(`${appUrl}/`).then((r) => r.text());
    const asset = /\/_next\/static\/[^"'\s]+\.js/.exec(landing)?.[0];
    if (!asset) throw new Error("the landing page names no /_next/static script");

    const routes: { label: string; load: () => Promise<Target> }[] = [
      { label: "static asset (`/_next/static/…`)", load: async () => ({ url: appUrl + asset }) },
      { label: "`GET /api/health`", load: async () => ({ url: `${appUrl}/api/health` }) },
      {
        label: "`GET /api/v1/openapi.json`",
        load: async () => ({ url: `${appUrl}/api/v1/openapi.json` }),
      },
      {
        label: "`GET /api/v1/me`, session token",
        load: async () => ({ url: `${appUrl}/api/v1/me`, headers: bearer(await sessionToken()) }),
      },
      {
        label: "`GET /api/v1/me`, API key",
        load: async () => ({ url: `${appUrl}/api/v1/me`, headers: bearer(readKey) }),
      },
      {
        label: "`GET /api/v1/projects`, session token",
        load: async () => ({
          url: `${appUrl}/api/v1/projects`,
          headers: bearer(await sessionToken()),
        }),
      },
      {
        label: "`GET /api/v1/projects`, API key",
        load: async () => ({ url: `${appUrl}/api/v1/projects`, headers: bearer(readKey) }),
      },
      {
        label: "`POST /api/v1/projects`, API key",
        load: async () => ({
          url: `${appUrl}/api/v1/projects`,
          method: "POST",
          headers: { ...bearer(writeKey), ...JSON_BODY },
          body: JSON.stringify({ name: "Bench write", description: "npm run bench" }),
        }),
      },
    ];
    // The same session and key again with Clerk far away: the warm-up makes each key's first
    // request, so these rows show what a request costs once the app has seen the key.
    const farAway = `Clerk ${CLERK_LATENCY_MS} ms away`;
    const remote: { label: string; load: () => Promise<Target> }[] = [
      { ...(routes[3] as (typeof routes)[number]), label: `${routes[3]?.label}, ${farAway}` },
      { ...(routes[4] as (typeof routes)[number]), label: `${routes[4]?.label}, ${farAway}` },
    ];
    type Rate = LoadResult & { clerkCalls: number; cpuMs?: number };
    const rates: Rate[] = [];
    const measureRows = async (list: typeof routes) => {
      for (const { label, load } of list) {
        progress(`${label}: ${CONNECTIONS} connections for ${SECONDS} s`);
        const target = await load();
        await warmUp(target);
        const result = await costPerRequest(stack, () => measureLoad(target));
        log(
          `  ${summary(result)}, ${fmt(result.clerkCalls)} Clerk calls/request` +
            (result.cpuMs === undefined ? "" : `, ${fmt(result.cpuMs)} ms app CPU/request`),
        );
        rates.push(result);
      }
    };
    progress(`warm-up: each row's request for ${JIT_WARM_UP_SECONDS} s`);
    for (const { load } of routes) {
      await runLoad({ ...(await load()), connections: CONNECTIONS, seconds: JIT_WARM_UP_SECONDS });
    }
    await webhookWarmUp({
      url: `${appUrl}/api/webhooks/clerk`,
      secret: TEST_WEBHOOK_SECRET,
      seconds: JIT_WARM_UP_SECONDS,
      concurrency: CONNECTIONS,
    });
    await measureRows(routes);
    log(`emulator: restarting with EMULATOR_LATENCY_MS=${CLERK_LATENCY_MS}`);
    await stack.setClerkLatency(CLERK_LATENCY_MS);
    await measureRows(remote);
    await stack.setClerkLatency(0);
    const [asStatic, health, openapi, meSession, meKey, listSession, listKey, create] = rates;
    const [remoteSession, remoteKey] = rates.slice(routes.length);
    const rows: Row[] = [...routes, ...remote].map(({ label }, i) => {
      const r = rates[i] as Rate;
      return { label, ...r, vsHealth: r.perSecond / (health?.perSecond ?? 1) };
    });

    progress(
      `signed webhooks: new events from ${CONNECTIONS} senders for ${SECONDS} s, each checked stored`,
    );
    const burst = await costPerRequest(stack, () =>
      webhookBurst({
        url: `${appUrl}/api/webhooks/clerk`,
        secret: TEST_WEBHOOK_SECRET,
        seconds: SECONDS,
        concurrency: CONNECTIONS,
        sql,
      }),
    );
    log(`  ${summary(burst)}, all ${burst.events} stored`);
    rows.push({
      label: "signed webhooks, unique events, each stored (events/s)",
      ...burst,
      vsHealth: burst.perSecond / (health?.perSecond ?? 1),
    });

    progress(`time to first byte, one request at a time, ${TTFB_SAMPLES} each`);
    const firstByte = async (url: string, headers: Record<string, string> = {}) => {
      await timeToFirstByte(url, headers, 5);
      return costPerRequest(stack, async () => ({
        ...(await timeToFirstByte(url, headers, TTFB_SAMPLES)),
        sent: TTFB_SAMPLES,
      }));
    };
    // A browser's page load: a document request with Clerk's cookies (wire notes §4: no
    // handshake), signed out on the landing page, signed in on the dashboard.
    const page = { accept: "text/html", "sec-fetch-dest": "document" };
    const token = await sessionToken();
    const iat = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).iat;
    const times = [
      ["time to first byte: `/api/health`", await firstByte(`${appUrl}/api/health`)],
      [
        "time to first byte: landing page `/`, signed out",
        await firstByte(`${appUrl}/`, { ...page, cookie: "__clerk_db_jwt=bench; __client_uat=0" }),
      ],
      [
        "time to first byte: dashboard `/orgs/acme`, signed in",
        await firstByte(`${appUrl}/orgs/acme`, {
          ...page,
          cookie: `__clerk_db_jwt=bench; __client_uat=${iat}; __session=${token}`,
        }),
      ],
    ] as const;
    const [, healthFirstByte] = times[0];
    for (const [label, t] of times) {
      log(`  ${label}: p50 ${fmt(t.p50)} ms, p99 ${fmt(t.p99)} ms`);
      rows.push({ label, ...t, vsHealth: t.p50 / healthFirstByte.p50 });
    }

    // Server time per request at this concurrency and the app's CPU time per request, and what
    // each layer adds to them.
    const layer = (label: string, a: Rate | undefined, b?: Rate): Layer => {
      const ms = (r: Rate | undefined) => 1000 / (r?.perSecond ?? Number.NaN);
      const cpu = (r: Rate | undefined) => r?.cpuMs ?? Number.NaN;
      return b
        ? { label, ms: ms(a) - ms(b), cpuMs: cpu(a) - cpu(b) }
        : { label, ms: ms(a), cpuMs: cpu(a) };
    };
    const layers: Layer[] = [
      layer("Next serving a file, no proxy (static asset)", asStatic),
      layer(
        "health: Next's route handling, `select 1`, no proxy (health − static)",
        health,
        asStatic,
      ),
      layer(
        "the proxy and the API document's handler, no credential (openapi − static)",
        openapi,
        asStatic,
      ),
      // A bearer token skips the proxy: its operation admits it (src/api/operation-bearer.ts).
      layer(
        "a session token admitted by its operation, no proxy, and `/me` (me, session − health)",
        meSession,
        health,
      ),
      layer("an API key instead: its verification (me, key − me, session)", meKey, meSession),
      layer("the projects query and its JSON (projects − me, session)", listSession, meSession),
      layer("a write instead of a read (POST − GET projects, API key)", create, listKey),
    ];
    const farKey = `API key with ${farAway}: p50 ${fmt(remoteKey?.p50 ?? 0)} ms, ${((remoteKey?.p50 ?? 0) / (remoteSession?.p50 || 1)).toFixed(2)}× the session's (${fmt(remoteSession?.p50 ?? 0)} ms); ${(remoteKey?.clerkCalls ?? 0).toFixed(3)} Clerk calls per request.`;
    return { rows, layers, farKey };
  } finally {
    await started?.stop();
    await removeWebhookBurstRows(sql);
    await sql.end();
  }
}

async function main() {
  const started = Date.now();
  // Other work on the machine slows every row: the load average says how busy it was.
  const loadAtStart = os.loadavg()[0];
  await buildIfStale(ROOT, log);
  const database = await openBenchDatabase(process.env.DATABASE_URL);
  let measured: Measured;
  try {
    log(`database: ${database.label}`);
    await runMigrations(database.url);
    measured = await measureApp(database.url);
  } finally {
    await database.stop();
  }
  const { rows, layers, farKey } = measured;
  const healthRate = rows[1]?.perSecond ?? Number.NaN;

  // The app is stopped: the emulator and the cold start get the machine to themselves.
  const verified: Awaited<ReturnType<typeof emulatorVerifyRate>>[] = [];
  for (const count of KEY_COUNTS) {
    progress(
      `emulator \`POST /api_keys/verify\` holding ${fmt(count)} keys, a different key each time`,
    );
    const result = await emulatorVerifyRate(count, warmUp, measureLoad);
    log(`  ${summary(result)}, ${fmt(result.cpuMicroseconds)} µs of emulator CPU per verification`);
    verified.push(result);
    rows.push({
      label: `emulator \`POST /api_keys/verify\`, ${fmt(count)} keys`,
      ...result,
      vsHealth: result.perSecond / healthRate,
    });
  }
  const [few, many] = verified;
  const keys = `Emulator verification with ${fmt(KEY_COUNTS[1] ?? 0)} keys: ${((many?.perSecond ?? 0) / (few?.perSecond ?? 1)).toFixed(2)}× the rate with ${KEY_COUNTS[0]} keys; CPU per verification ${fmt(many?.cpuMicroseconds ?? 0)} µs against ${fmt(few?.cpuMicroseconds ?? 0)} µs.`;

  if (!args["skip-cold-start"]) {
    // Next keeps a compile cache in .next/dev: the first `npm run dev` of a clone has none.
    const cache = existsSync(path.join(ROOT, ".next", "dev")) ? "with" : "without";
    progress(
      `\`npm run dev\` cold start ${cache} Next's dev cache: fresh data folder, own ports, until \`/\` answers 200`,
    );
    const coldStart = await devColdStart();
    log(`  ${fmt(coldStart / 1000)} s`);
    rows.push({
      label: `\`npm run dev\` cold start until \`/\` answers, ${cache} Next's dev cache (ms)`,
      p50: coldStart,
    });
  }

  const commit = execFileSync("git", ["describe", "--always", "--dirty"], { encoding: "utf8" });
  const cpus = os.cpus();
  // Markdown from here to the end: it pastes into the README as it is.
  console.log(
    [
      "",
      `\`npm run bench -- --connections ${CONNECTIONS} --duration ${SECONDS}\`, ` +
        `${new Date().toISOString().slice(0, 16)}Z, commit ${commit.trim()}`,
      "",
      `- machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.version}, load average ${loadAtStart?.toFixed(1)} at the start, ${os.loadavg()[0]?.toFixed(1)} at the end`,
      `- database: ${database.label}`,
      `- app: production build served as \`npm start\` serves it, ${RATE_LIMITS_TEXT} (limits out of reach)`,
      `- load rows: ${CONNECTIONS} connections for ${SECONDS} s after a warm-up of ` +
        `${WARM_UP_PER_CONNECTION} requests per connection (autocannon); every row's request ` +
        `sent for ${JIT_WARM_UP_SECONDS} s before the first`,
      "- × /api/health: a rate over its rate, a time over its time",
      "",
      formatTable(rows),
      "",
      keys,
      "",
      farKey,
      "",
      "Where a request's time goes: server time per request (1000 ÷ req/s at this concurrency) and the app's CPU time per request, by difference of rows:",
      "",
      formatLayers(layers),
      "",
    ].join("\n"),
  );
  log(`done in ${fmt((Date.now() - started) / 1000)} s`);
}

main().catch((err: unknown) => {
  console.error("bench failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
