// The zero-config launcher behind `npm run dev`, `npm run build` and `npm start`.
// Without Clerk keys it starts the Clerk emulator (with the demo seed) and wires the app to it;
// without DATABASE_URL it serves an embedded PGlite database; it applies migrations, then runs
// Next. Ctrl-C stops everything it started.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createClerkClient } from "@clerk/backend";
import nextEnv from "@next/env";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { runMigrations } from "../src/db/migrate";
import * as schema from "../src/db/schema";
import { EnvError, parseServerEnv } from "../src/env/server-env";
import { RECONCILED_BY_CLERK, reconcileWithClerk } from "../src/webhooks/clerk-reconcile";
import { type Child, startChild, stopChild, waitForHttp } from "./lib/children";
import {
  appEnvForEmulator,
  type ClerkMode,
  clerkMode,
  DEV_APP_MACHINE_SECRET,
  DEV_SEED,
  emulatorEnv,
  usesDefaultSecrets,
} from "./lib/clerk-wiring";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./lib/embedded-postgres";
import { completeStandalone } from "./lib/standalone";

type Mode = "dev" | "build" | "start";
const mode = process.argv[2] as Mode;
if (!["dev", "build", "start"].includes(mode)) {
  console.error("usage: tsx scripts/launch.ts dev|build|start");
  process.exit(2);
}

const ROOT = process.cwd();
nextEnv.loadEnvConfig(ROOT, mode === "dev");
// Next's anonymous telemetry phones home; this app runs offline unless told otherwise.
const env: NodeJS.ProcessEnv = { NEXT_TELEMETRY_DISABLED: "1", ...process.env };
const port = Number(env.PORT ?? 3000);
// Where this machine reaches the app, and its public origin (APP_URL, the same by default): what
// the app builds redirects from and the emulator's allowed origin.
const localOrigin = `http://localhost:${port}`;
const appOrigin =
  env.APP_URL && URL.canParse(env.APP_URL) ? new URL(env.APP_URL).origin : localOrigin;
const emulatorPort = Number(env.EMULATOR_PORT ?? 4010);
const emulatorFrontendPort = Number(env.EMULATOR_FRONTEND_PORT ?? emulatorPort + 1);
const embeddedDbPort = Number(env.EMBEDDED_DB_PORT ?? 54320);
// Where the emulator's state and the embedded database live (tests point it at a scratch folder).
const dataDir = path.resolve(ROOT, env.DATA_DIR ?? ".data");
const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

class LaunchError extends Error {}

const children: Child[] = [];
let database: EmbeddedPostgres | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) await stopChild(child);
  await database?.stop();
  process.exit(code);
}
process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));
// `npm` stops its script's shell, not the shell's child: if we are orphaned, stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(0);
}, 1_000).unref();

function supervise(child: Child) {
  children.push(child);
  void child.exited.then((code) => {
    if (stopping) return;
    console.error(`[launcher] ${child.name} exited (${code}); stopping everything`);
    void shutdown(code ?? 1);
  });
}

async function syncFromEmulator(apiUrl: string, databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const clerkClient = createClerkClient({ secretKey: env.CLERK_SECRET_KEY as string, apiUrl });
    const report = await reconcileWithClerk(clerkClient, drizzle(sql, { schema }), {
      source: RECONCILED_BY_CLERK,
    });
    console.log(
      `[launcher] database synced with the emulator: ${report.users.listed} users, ` +
        `${report.organizations.listed} organizations, ${report.memberships.listed} memberships, ` +
        `${report.subscriptions.listed} subscriptions`,
    );
  } finally {
    await sql.end();
  }
}

// The emulator holds its deliveries until the webhook route can answer them, so a first run's
// delivery log has no failed attempts: the route is compiled (in dev, on its first request) by
// asking it for a method it refuses, then the held deliveries go out.
async function releaseWebhooks(emulatorUrl: string, next: Child) {
  await waitForHttp(`${localOrigin}/api/webhooks/clerk`, 120_000, next, {
    anyStatus: true,
    attemptTimeoutMs: 30_000,
  });
  const res = await fetch(`${emulatorUrl}/__emulator/webhooks/release`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.CLERK_SECRET_KEY}` },
  });
  if (!res.ok)
    throw new LaunchError(`[launcher] the emulator refused to release webhooks: ${res.status}`);
}

// EMULATOR_* variables you set (faults, time scale, token lifetime, ...) reach the emulator as
// given, over the launcher's own choices.
function userEmulatorSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith("EMULATOR_") && Boolean(e[1]),
    ),
  );
}

function seedUsers(seedFile: string): { email: string; password?: string }[] {
  return JSON.parse(readFileSync(seedFile, "utf8")).users ?? [];
}

// The seed's sign-ins that still work: a user who changed their password (or deleted their
// account) since the seed ran is not offered the seed's.
async function validSeedLogins(
  emulatorUrl: string,
): Promise<{ email: string; password: string }[]> {
  const clerkClient = createClerkClient({
    secretKey: env.CLERK_SECRET_KEY as string,
    apiUrl: emulatorUrl,
  });
  const logins = seedUsers(env.EMULATOR_SEED ?? DEV_SEED).filter(
    (u): u is { email: string; password: string } => Boolean(u.password),
  );
  const valid = await Promise.all(
    logins.map(async ({ email, password }) => {
      const [user] = (await clerkClient.users.getUserList({ emailAddress: [email] })).data;
      if (!user) return false;
      return clerkClient.users.verifyPassword({ userId: user.id, password }).then(
        () => true,
        () => false,
      );
    }),
  );
  return logins.filter((_, i) => valid[i]);
}

// Where Next listens. The emulator holds every user's sessions, codes and keys and its Frontend
// API is reachable through the app: in emulator mode the app stays on this machine unless HOST
// says otherwise. With real Clerk, every interface, as `next start` does.
function listenHost(clerk: ClerkMode): string | undefined {
  if (env.HOST) {
    if (clerk === "emulator" && !["127.0.0.1", "::1", "localhost"].includes(env.HOST)) {
      const defaults = usesDefaultSecrets(env);
      console.warn(
        [
          "",
          `  WARNING: HOST=${env.HOST}: the app and its Clerk emulator are reachable from other`,
          "  machines. The emulator is a development tool: anyone who can reach the app can sign up,",
          "  and the emulator's data (users, sessions, API keys) is only as safe as that network.",
          ...(defaults.webhook
            ? [
                "  CLERK_WEBHOOK_SIGNING_SECRET is the emulator's documented default: anyone who can",
                "  reach the app can sign Clerk webhooks it trusts, and create, change or delete its",
                "  users and organizations with them.",
              ]
            : []),
          ...(defaults.secretKey
            ? [
                "  CLERK_SECRET_KEY is the emulator's documented default: whoever reaches its Backend",
                "  API (on 127.0.0.1 unless EMULATOR_HOST says otherwise; never through the app) can",
                "  read and change everything in it, and mint API keys.",
              ]
            : []),
          ...(defaults.webhook || defaults.secretKey
            ? [
                "  Set them to secrets of your own (the emulator takes them from the same variables).",
              ]
            : []),
          "",
        ].join("\n"),
      );
    }
    return env.HOST;
  }
  return clerk === "emulator" ? "127.0.0.1" : undefined;
}

async function main() {
  const clerk = clerkMode(env);
  const emulatorUrls = {
    url: `http://127.0.0.1:${emulatorPort}`,
    frontendUrl: `http://127.0.0.1:${emulatorFrontendPort}`,
  };
  const emulatorUrl = emulatorUrls.url;
  // The emulator wiring fills in what is not set; a variable you set yourself wins, and the
  // emulator gets it too (emulatorEnv below).
  if (clerk === "emulator") {
    // The app is a machine of the dev seed's (the seed's reconcile job may call it).
    const machine =
      (env.EMULATOR_SEED ?? DEV_SEED) === DEV_SEED
        ? { CLERK_MACHINE_SECRET_KEY: DEV_APP_MACHINE_SECRET }
        : {};
    Object.assign(env, { ...appEnvForEmulator(emulatorUrls), ...machine, ...env });
  }
  // `build` only needs the public values inlined into the bundle; it starts nothing.
  if (mode === "build") {
    const build = startChild("next", process.execPath, [nextBin, "build"], env);
    const code = (await build.exited) ?? 1;
    // No standalone output on Vercel (next.config.ts).
    if (code === 0 && !process.env.VERCEL) await completeStandalone(ROOT);
    process.exit(code);
  }

  if (clerk === "emulator") {
    const seed = env.EMULATOR_SEED ?? DEV_SEED;
    const emulator = startChild(
      "emulator",
      process.execPath,
      ["--import", "tsx", "emulator/src/main.ts"],
      {
        PATH: env.PATH,
        NODE_ENV: "development",
        // Deliveries wait until the app can answer them (released below).
        EMULATOR_WEBHOOK_HOLD: "1",
        ...emulatorEnv({
          port: emulatorPort,
          frontendPort: emulatorFrontendPort,
          appOrigin,
          localOrigin,
          dataDir: path.join(dataDir, "emulator"),
          seed,
          secretKey: env.CLERK_SECRET_KEY as string,
          webhookSigningSecret: env.CLERK_WEBHOOK_SIGNING_SECRET as string,
        }),
        ...userEmulatorSettings(),
      },
    );
    supervise(emulator);
    await waitForHttp(`${emulatorUrl}/__emulator/health`, 30_000, emulator);
  }

  if (!env.DATABASE_URL) {
    database = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pglite"),
      port: embeddedDbPort,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EADDRINUSE") throw err;
      throw new LaunchError(
        `[launcher] port ${embeddedDbPort} for the embedded database is in use (another \`npm run dev\`?).` +
          " Stop it, set EMBEDDED_DB_PORT to a free port, or set DATABASE_URL.",
      );
    });
    env.DATABASE_URL = database.url;
    console.log(`[launcher] embedded database (PGlite) on ${database.url}`);
  }
  parseServerEnv(env);
  await runMigrations(env.DATABASE_URL as string);
  console.log("[launcher] database migrated");
  // The app serves the seed's users and organizations from its first request, before the held
  // webhooks (below) arrive; and a database that missed events (a fresh PGlite beside an old
  // emulator state) catches up.
  if (clerk === "emulator") await syncFromEmulator(emulatorUrl, env.DATABASE_URL as string);

  const host = listenHost(clerk);
  const next = startChild("next", process.execPath, ["--import", "tsx", "scripts/serve.ts", mode], {
    ...env,
    PORT: String(port),
    HOST: host ?? "",
  });
  supervise(next);
  await waitForHttp(`${localOrigin}/api/health`, 180_000, next);
  if (clerk === "emulator") await releaseWebhooks(emulatorUrl, next);

  const lines = [
    "",
    `  App            ${appOrigin}`,
    clerk === "emulator"
      ? `  Clerk          emulator at ${emulatorUrl} (inspect: ${emulatorUrl}/__emulator)`
      : "  Clerk          your Clerk instance (keys from the environment)",
    `  Database       ${database ? `embedded PGlite in ${path.join(dataDir, "pglite")}` : "DATABASE_URL"}`,
  ];
  if (clerk === "emulator") {
    for (const u of await validSeedLogins(emulatorUrl)) {
      lines.push(`  Sign in as     ${u.email} / ${u.password}`);
    }
  }
  console.log([...lines, "", "  Ctrl-C stops everything.", ""].join("\n"));
}

main().catch(async (err: unknown) => {
  // Expected failures get their message; anything else its stack.
  console.error(err instanceof EnvError || err instanceof LaunchError ? err.message : err);
  await shutdown(1);
});
