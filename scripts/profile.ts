// `npm run profile`: where one request's CPU time goes. Starts the same stack as the bench (a
// production build, a Clerk emulator with the dev seed, the bench database) with the server under
// `node --cpu-prof`, sends one request from N clients for S seconds (autocannon), or the bench's
// signed webhook events for `--path /api/webhooks/clerk`, stops the server and reads its profile
// back, counting only the samples taken while the load ran: CPU time per request, the proxy's
// share, and the functions and packages it went to (through the build's source maps). With a
// PostgreSQL on this machine it also reads the CPU time of the database's server processes that
// served the app. The profile is kept for Chrome DevTools or speedscope.
//
// Options: --path (/api/v1/me), --credential session|api-key|none (session), --connections N
// (16), --duration SECONDS (20), --top N (15), --out DIR (a new folder
// under the system's temp folder).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import nextEnv from "@next/env";
import postgres from "postgres";
import { runMigrations } from "../src/db/migrate";
import { TEST_WEBHOOK_SECRET } from "../tests/support/emulator-process";
import { type AppStack, startAppStack } from "./lib/bench/app-stack";
import { buildIfStale } from "./lib/bench/build-freshness";
import { mainThreadProfile, proxyChunks, summarizeProfile } from "./lib/bench/cpu-profile";
import { openBenchDatabase } from "./lib/bench/database";
import { type LoadResult, runLoad } from "./lib/bench/load";
import { processCpuMs } from "./lib/bench/process-cpu";
import { removeWebhookBurstRows, webhookBurst, webhookWarmUp } from "./lib/bench/webhook-burst";
import { commandArgs, usageError } from "./lib/command-args";

const USAGE = `usage: npm run profile -- [options]

Profiles the production server (node --cpu-prof) while it answers one request under load, and
prints its CPU time per request, the proxy's share and where the time went.
  --path PATH           the request (/api/v1/me); /api/webhooks/clerk sends signed events
  --credential KIND     session (the demo admin's session token), api-key (the seeded read key)
                        or none (session)
  --connections N       concurrent clients (16)
  --duration SECONDS    how long (20)
  --top N               functions and packages listed (15)
  --out DIR             where the .cpuprofile is written (a new folder under the temp folder)
  --help                this text`;
const args = commandArgs(
  {
    path: { type: "string", default: "/api/v1/me" },
    credential: { type: "string", default: "session" },
    connections: { type: "string", default: "16" },
    duration: { type: "string", default: "20" },
    top: { type: "string", default: "15" },
    out: { type: "string" },
  },
  USAGE,
);
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.duration);
const TOP = Number(args.top);
const WEBHOOKS = args.path === "/api/webhooks/clerk";
if (
  ![CONNECTIONS, SECONDS, TOP].every((n) => Number.isInteger(n) && n > 0) ||
  !["session", "api-key", "none"].includes(args.credential) ||
  !args.path.startsWith("/")
) {
  usageError(USAGE);
}

const ROOT = process.cwd();
nextEnv.loadEnvConfig(ROOT);
process.env.CLERK_TELEMETRY_DISABLED = "1";
const log = (line: string) => console.log(`profile: ${line}`);
const fmt = (v: number, digits = 2) => v.toFixed(digits);
const microseconds = () => Number(process.hrtime.bigint() / 1000n);

// The CPU time so far of the database server's processes serving this database (the app's pool
// among them), or null when they are not processes of this machine (a remote server, or the
// embedded PGlite, whose pids are not real).
async function databaseCpuMs(sql: postgres.Sql): Promise<number | null> {
  const url = process.env.DATABASE_URL;
  if (!url || !["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname)) return null;
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`;
  let total = 0;
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

// The load, warmed up outside the window the profile is read in (compiled routes, open pools).
async function sendLoad(stack: AppStack, sql: postgres.Sql): Promise<LoadResult> {
  const url = stack.appUrl + args.path;
  if (WEBHOOKS) {
    log(`${args.path}: new signed events from ${CONNECTIONS} senders for ${SECONDS} s`);
    return webhookBurst({
      url,
      secret: TEST_WEBHOOK_SECRET,
      seconds: SECONDS,
      concurrency: CONNECTIONS,
      sql,
    });
  }
  const headers: Record<string, string> =
    args.credential === "session"
      ? { authorization: `Bearer ${await stack.sessionToken()}` }
      : args.credential === "api-key"
        ? { authorization: `Bearer ${stack.readKey}` }
        : {};
  const check = await fetch(url, { headers });
  await check.arrayBuffer();
  if (!check.ok) throw new Error(`${args.path} answered ${check.status}`);
  log(`${args.path} (${args.credential}): ${CONNECTIONS} connections for ${SECONDS} s`);
  await runLoad({ url, headers, connections: CONNECTIONS, amount: CONNECTIONS * 5 });
  return runLoad({ url, headers, connections: CONNECTIONS, seconds: SECONDS });
}

async function main() {
  await buildIfStale(ROOT, log);
  const out = args.out ?? mkdtempSync(path.join(os.tmpdir(), "app-profile-"));
  const database = await openBenchDatabase(process.env.DATABASE_URL);
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await runMigrations(database.url);
    const stack = await startAppStack({
      databaseUrl: database.url,
      // As the bench: the limits out of reach.
      env: { API_RATE_LIMIT: "100000000", AUTH_FAILURE_LIMIT: "100000000" },
      nodeArgs: ["--cpu-prof", "--cpu-prof-dir", out],
      log,
    });
    let result: LoadResult;
    let window: { from: number; to: number };
    let databaseMs: number | null = null;
    try {
      // The warm-up (the same load, or new webhook events for as long) compiles the hot code and
      // opens the pool's connections; the window starts after it.
      if (WEBHOOKS) {
        await webhookWarmUp({
          url: stack.appUrl + args.path,
          secret: TEST_WEBHOOK_SECRET,
          seconds: SECONDS,
          concurrency: CONNECTIONS,
        });
      } else await sendLoad(stack, sql);
      const from = microseconds();
      const dbBefore = await databaseCpuMs(sql);
      result = await sendLoad(stack, sql);
      // The requests still in flight when the load stopped are answered within its p99.
      await new Promise((resolve) => setTimeout(resolve, Math.max(500, 2 * result.p99)));
      window = { from, to: microseconds() };
      const dbAfter = await databaseCpuMs(sql);
      if (dbBefore !== null && dbAfter !== null) databaseMs = (dbAfter - dbBefore) / result.sent;
      log(`  ${Math.round(result.perSecond)}/s, p50 ${result.p50} ms, ${result.sent} requests`);
    } finally {
      await stack.stop();
      if (WEBHOOKS) await removeWebhookBurstRows(sql);
    }
    const file = mainThreadProfile(out);
    const summary = summarizeProfile(file, {
      root: ROOT,
      requests: result.sent,
      window,
      proxyFiles: proxyChunks(ROOT),
      top: TOP,
    });
    const share = (ms: number) => `${Math.round((100 * ms) / summary.cpuMsPerRequest)}%`;
    const command = WEBHOOKS
      ? `--path ${args.path} --connections ${CONNECTIONS} --duration ${SECONDS}`
      : `--path ${args.path} --credential ${args.credential} --connections ${CONNECTIONS} --duration ${SECONDS}`;
    console.log(
      [
        "",
        `\`npm run profile -- ${command}\`, ${new Date().toISOString().slice(0, 16)}Z, ` +
          `load average ${os.loadavg()[0]?.toFixed(1)}`,
        "",
        `App CPU per request ${fmt(summary.cpuMsPerRequest)} ms (under the profiler), of which the proxy ${fmt(summary.proxyMsPerRequest)} ms (${share(summary.proxyMsPerRequest)})` +
          (databaseMs === null ? "" : `; the database's server processes ${fmt(databaseMs)} ms`) +
          `. Profile: ${file}`,
        "",
        "| function (self time) | from | ms/request | share |",
        "|---|---|---:|---:|",
        ...summary.top.map(
          (e) => `| \`${e.name}\` | ${e.where} | ${fmt(e.ms, 3)} | ${share(e.ms)} |`,
        ),
        "",
        "| spent for (self time, Node's own charged to its caller) | ms/request | share |",
        "|---|---:|---:|",
        ...summary.areas.map((a) => `| ${a.where} | ${fmt(a.ms, 3)} | ${share(a.ms)} |`),
        "",
      ].join("\n"),
    );
  } finally {
    await sql.end();
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error("profile failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
