// `npm run load`: the API under sustained concurrent reads. Builds the app if `.next` is stale,
// starts the database (DATABASE_URL, else an in-memory embedded PGlite), a Clerk emulator with
// the dev seed and the production server as `npm start` runs it, then sends reads from N clients
// (50) for S seconds (30) in three phases: with an API key, with a session token, and both at
// once (half the clients each). Reads alternate `GET /api/v1/projects` and `GET /api/v1/me`.
// It prints each phase's figures and exits 1 if any answer was not 2xx, any connection failed
// or any request took over 10 s. The app's rate limits are set out of reach: this measures the
// app holding up, not its limiter (tests/integration/app/rate-limits covers that).
// With --instances N it starts N servers behind a round-robin balancer (scripts/lib/bench/
// balancer.ts), sharing the database and a Redis (REDIS_URL, else a redis-server of its own when
// one is installed); with --rolling-restart it instead sends both kinds of reads while it replaces
// the instances one by one, as a deploy does, and fails if a single request fails.
// With --faults it instead sends both kinds of reads while it freezes and thaws, in turn, a Redis
// of its own (SIGSTOP), the emulator (SIGSTOP) and the database (a relay that stops passing bytes:
// a shared server is never stopped), and prints per phase what the clients got and how soon after
// each thaw they got only 2xx again (scripts/lib/bench/fault-phases.ts); it fails on any 5xx but
// 503, any connection error and any request over 10 s.
//
// Options: --connections N (50), --duration SECONDS per phase (30), --instances N (1),
// --rolling-restart, --faults [--fault-seconds S (10)].
import os from "node:os";
import nextEnv from "@next/env";
import { runMigrations } from "../src/db/migrate";
import { startFreezableRelay } from "../tests/support/freezable-relay";
import { startRedisServer } from "../tests/support/redis-server";
import { type AppStack, startAppStack } from "./lib/bench/app-stack";
import { buildIfStale } from "./lib/bench/build-freshness";
import { openBenchDatabase } from "./lib/bench/database";
import { type Fault, type FaultPhase, runFaultPhases } from "./lib/bench/fault-phases";
import { type LoadOutcome, mergeOutcomes, runLoadCounted, startLoad } from "./lib/bench/load";
import { commandArgs, usageError } from "./lib/command-args";

const USAGE = `usage: npm run load -- [options]

Sends sustained concurrent reads to a production build with an emulator and a database of its own,
and exits 1 if any answer was not 2xx, a connection failed or a request took over 10 s.
  --connections N       concurrent clients (50, at least 2)
  --duration SECONDS    length of each of the three phases (30, at least 2)
  --instances N         app servers behind a round-robin balancer (1)
  --rolling-restart     replace the instances one by one under load (needs --instances 2 or more)
  --faults              freeze Redis, Clerk and the database in turn under load
  --fault-seconds S     how long each stays frozen (10), and how long the reads go on after it
  --help                this text`;
const args = commandArgs(
  {
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "30" },
    instances: { type: "string", default: "1" },
    "rolling-restart": { type: "boolean", default: false },
    faults: { type: "boolean", default: false },
    "fault-seconds": { type: "string", default: "10" },
  },
  USAGE,
);
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.duration);
const INSTANCES = Number(args.instances);
const ROLLING = args["rolling-restart"] === true;
const FAULTS = args.faults === true;
const FAULT_SECONDS = Number(args["fault-seconds"]);
if (![CONNECTIONS, SECONDS].every((n) => Number.isInteger(n) && n > 1)) {
  usageError(`--connections and --duration take whole numbers of at least 2.\n\n${USAGE}`);
}
if (
  !Number.isInteger(FAULT_SECONDS) ||
  FAULT_SECONDS < 1 ||
  (FAULTS && (ROLLING || INSTANCES > 1))
) {
  usageError(`--faults runs one instance, for --fault-seconds (a whole number) each.\n\n${USAGE}`);
}
if (!Number.isInteger(INSTANCES) || INSTANCES < 1 || (ROLLING && INSTANCES < 2)) {
  usageError(`--instances takes a whole number, at least 2 with --rolling-restart.\n\n${USAGE}`);
}

const ROOT = process.cwd();
nextEnv.loadEnvConfig(ROOT);
process.env.CLERK_TELEMETRY_DISABLED = "1";
const LIMITS = { API_RATE_LIMIT: "100000000", AUTH_FAILURE_LIMIT: "100000000" };
const log = (line: string) => console.log(`load: ${line}`);
const fmt = (v: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(v);

// Clients that alternate the two reads, each request with `token` as bearer.
function readLoad(appUrl: string, token: string, connections: number, seconds: number) {
  return {
    url: appUrl,
    connections,
    seconds,
    headers: { authorization: `Bearer ${token}` },
    paths: ["/api/v1/projects", "/api/v1/me"],
  };
}

function reads(appUrl: string, token: string, connections: number) {
  return runLoadCounted(readLoad(appUrl, token, connections, SECONDS));
}

// Reads with an API key and with a session token (half the clients each) for as long as it takes
// to replace every instance, and a few seconds more.
async function readsThroughRollingRestart(stack: AppStack, session: string) {
  const instances = stack.instances;
  if (!instances) throw new Error("a rolling restart needs several instances");
  const half = Math.floor(CONNECTIONS / 2);
  // Longer than any restart can take: stopped once the last instance serves again.
  const running = [
    startLoad(readLoad(stack.appUrl, stack.readKey, half, 3_600)),
    startLoad(readLoad(stack.appUrl, session, CONNECTIONS - half, 3_600)),
  ];
  await new Promise((r) => setTimeout(r, 2_000));
  const restarts = await instances.restartOneByOne(log);
  await new Promise((r) => setTimeout(r, 2_000));
  const outcome = mergeOutcomes(await Promise.all(running.map((l) => l.stop())));
  return { outcome, restarts, balancer: { ...instances.balancer.stats } };
}

// Where the instances share their limits and verified API keys: REDIS_URL, else a redis-server of
// this run's own (none installed: each instance counts in its own memory).
async function sharedRedis(): Promise<{
  url: string | null;
  label: string;
  stop: () => Promise<void>;
}> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL, label: "REDIS_URL", stop: async () => {} };
  }
  const own = await startRedisServer();
  if (!own) return { url: null, label: "none (no redis-server installed)", stop: async () => {} };
  return { url: own.url, label: `a redis-server of its own (${own.url})`, stop: own.stop };
}

const cell = (o: LoadOutcome) =>
  Object.entries(o.statuses)
    .map(([s, n]) => `${fmt(n)}× ${s}`)
    .join(", ");

// What `--faults` does and prints.
async function faultRun(databaseUrl: string, databaseLabel: string) {
  const redis = await startRedisServer();
  const relay = await startFreezableRelay(databaseUrl);
  let phases: FaultPhase[] = [];
  try {
    log(`database: ${databaseLabel}, through a relay the run freezes`);
    log(
      `redis: ${redis ? `a redis-server of its own (${redis.url})` : "none installed: no Redis phase"}`,
    );
    const stack = await startAppStack({
      databaseUrl: relay.url,
      env: { ...LIMITS, ...(redis && { REDIS_URL: redis.url }) },
      log,
    });
    try {
      const session = await stack.sessionToken();
      const stop = (pid: number, signal: NodeJS.Signals) => () => process.kill(pid, signal);
      const faults: Fault[] = [
        ...(redis
          ? [
              {
                name: "Redis frozen",
                freeze: stop(redis.pid, "SIGSTOP"),
                thaw: stop(redis.pid, "SIGCONT"),
              },
            ]
          : []),
        {
          name: "Clerk (the emulator) frozen",
          freeze: () => process.kill(stack.emulatorPid(), "SIGSTOP"),
          thaw: () => process.kill(stack.emulatorPid(), "SIGCONT"),
        },
        { name: "database frozen", freeze: relay.freeze, thaw: relay.thaw },
      ];
      const half = Math.floor(CONNECTIONS / 2);
      const seconds = FAULT_SECONDS * 2 + 1;
      phases = await runFaultPhases({
        faults,
        frozenMs: FAULT_SECONDS * 1000,
        afterMs: FAULT_SECONDS * 1000,
        load: (onResponse) => [
          { ...readLoad(stack.appUrl, stack.readKey, half, seconds * 2), onResponse },
          { ...readLoad(stack.appUrl, session, CONNECTIONS - half, seconds * 2), onResponse },
        ],
        log,
      });
    } finally {
      await stack.stop();
    }
  } finally {
    relay.thaw();
    await relay.close();
    await redis?.stop();
  }
  console.log(
    [
      "",
      `\`npm run load -- --faults --connections ${CONNECTIONS} --fault-seconds ${FAULT_SECONDS}\`, ` +
        `${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs, load average ` +
        `${os.loadavg()[0]?.toFixed(1)} at the end, ${databaseLabel}; API key and session reads, ` +
        `half the clients each; each service frozen ${FAULT_SECONDS} s, then ${FAULT_SECONDS} s more`,
      "",
      "| phase | requests | statuses | p50 ms | p99 ms | max ms | over 10 s | errors | last non-2xx after the thaw |",
      "|---|---:|---|---:|---:|---:|---:|---:|---:|",
      ...phases.map(
        (p) =>
          `| ${p.name} | ${fmt(p.outcome.requests)} | ${cell(p.outcome)} | ${fmt(p.outcome.p50)} | ` +
          `${fmt(p.outcome.p99)} | ${fmt(p.outcome.max)} | ${fmt(p.over10s)} | ` +
          `${fmt(p.outcome.errors)} | ${p.name === "no fault" ? "–" : `${fmt(p.recoveredMs / 1000)} s`} |`,
      ),
      "",
    ].join("\n"),
  );
  const broken = phases.filter(
    (p) =>
      p.outcome.errors > 0 ||
      p.over10s > 0 ||
      Object.keys(p.outcome.statuses).some((s) => Number(s) >= 500 && s !== "503"),
  );
  if (broken.length > 0) {
    console.error(
      `load: FAILED — a 5xx other than 503, an error or a request over 10 s in: ${broken.map((p) => p.name).join(", ")}`,
    );
    process.exit(1);
  }
  log("no 5xx but 503, no connection error, no request over 10 s");
}

async function main() {
  await buildIfStale(ROOT, log);
  if (FAULTS) {
    const database = await openBenchDatabase(process.env.DATABASE_URL);
    try {
      await runMigrations(database.url);
      await faultRun(database.url, database.label);
    } finally {
      await database.stop();
    }
    return;
  }
  const database = await openBenchDatabase(process.env.DATABASE_URL);
  const redis = INSTANCES > 1 ? await sharedRedis() : null;
  const results: [string, LoadOutcome][] = [];
  let rolling: Awaited<ReturnType<typeof readsThroughRollingRestart>> | undefined;
  try {
    log(`database: ${database.label}`);
    if (redis) log(`redis: ${redis.label}`);
    await runMigrations(database.url);
    const stack = await startAppStack({
      databaseUrl: database.url,
      env: { ...LIMITS, ...(redis?.url && { REDIS_URL: redis.url }) },
      instances: INSTANCES,
      log,
    });
    try {
      const session = await stack.sessionToken();
      if (ROLLING) {
        log(`rolling restart of ${INSTANCES} instances under ${CONNECTIONS} clients ...`);
        rolling = await readsThroughRollingRestart(stack, session);
        results.push(["both at once, through a rolling restart", rolling.outcome]);
      } else {
        const half = Math.floor(CONNECTIONS / 2);
        const phases: [string, () => Promise<LoadOutcome>][] = [
          ["API key", () => reads(stack.appUrl, stack.readKey, CONNECTIONS)],
          ["session token", () => reads(stack.appUrl, session, CONNECTIONS)],
          [
            "both at once",
            async () =>
              mergeOutcomes(
                await Promise.all([
                  reads(stack.appUrl, stack.readKey, half),
                  reads(stack.appUrl, session, CONNECTIONS - half),
                ]),
              ),
          ],
        ];
        for (const [i, [label, run]] of phases.entries()) {
          log(`[${i + 1}/${phases.length}] ${label}: ${CONNECTIONS} clients for ${SECONDS} s ...`);
          const outcome = await run();
          log(`  ${fmt(outcome.perSecond)}/s, max ${fmt(outcome.max)} ms`);
          results.push([label, outcome]);
        }
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await redis?.stop();
    await database.stop();
  }

  const command = [
    `--connections ${CONNECTIONS}`,
    ...(ROLLING ? [] : [`--duration ${SECONDS}`]),
    ...(INSTANCES > 1 ? [`--instances ${INSTANCES}`] : []),
    ...(ROLLING ? ["--rolling-restart"] : []),
  ].join(" ");
  console.log(
    [
      "",
      `\`npm run load -- ${command}\`, ${new Date().toISOString().slice(0, 16)}Z, ` +
        `${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)} at the end, ${database.label}` +
        (INSTANCES > 1
          ? `, ${INSTANCES} instances behind a round-robin balancer, Redis: ${redis?.label}`
          : ""),
      "",
      "| reads (`/api/v1/projects` and `/api/v1/me` in turn) | requests | req/s | p50 ms | p99 ms | max ms | statuses | errors |",
      "|---|---:|---:|---:|---:|---:|---|---:|",
      ...results.map(
        ([label, o]) =>
          `| ${label} | ${fmt(o.requests)} | ${fmt(o.perSecond)} | ${fmt(o.p50)} | ${fmt(o.p99)} | ${fmt(o.max)} | ${cell(o)} | ${fmt(o.errors)} |`,
      ),
      "",
      ...(rolling
        ? [
            "| instance | stopped (SIGTERM to exit) ms | serving again after ms |",
            "|---:|---:|---:|",
            ...rolling.restarts.map(
              (r) => `| ${r.instance} | ${fmt(r.stoppedMs)} | ${fmt(r.backMs)} |`,
            ),
            "",
            `Balancer: ${fmt(rolling.balancer.proxied)} answered by an instance, ${fmt(rolling.balancer.retried)} sent again ` +
              `to another after one did not take them (its connection closed or refused), ${fmt(rolling.balancer.failed)} failed.`,
            "",
          ]
        : []),
    ].join("\n"),
  );
  const failed = results.filter(([, o]) => o.non2xx > 0 || o.errors > 0);
  if (failed.length > 0 || (rolling?.balancer.failed ?? 0) > 0) {
    console.error(
      `load: FAILED — errors in: ${failed.map(([label]) => label).join(", ") || "the balancer"}`,
    );
    process.exit(1);
  }
  log("every answer was 2xx, no connection error, no request over 10 s");
}

main().catch((err: unknown) => {
  console.error("load failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
