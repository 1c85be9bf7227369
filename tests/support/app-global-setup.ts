import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { runMigrations } from "../../src/db/migrate";
import { type AppProcess, startApp } from "./app-process";
import { SHARED_APP_LOG } from "./app-stack";
import { type EmulatorProcess, removeDataDir, startEmulatorProcess } from "./emulator-process";

const LOGS = "test-results/logs";

// A production build, as `npm run build` makes it; its output goes to a file, shown if it fails.
// `npm test` builds once for every suite and says so with TEST_APP_BUILT.
function build(): Promise<void> {
  if (process.env.TEST_APP_BUILT === "1") return Promise.resolve();
  mkdirSync(LOGS, { recursive: true });
  const logFile = path.join(LOGS, "build.log");
  const log = createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", "build"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.once("exit", (code) =>
      log.end(() =>
        code === 0
          ? resolve()
          : reject(new Error(`next build exited with ${code}:\n${readFileSync(logFile, "utf8")}`)),
      ),
    );
  });
}

// A fresh schema on the given server (CI: the machine's PostgreSQL), so every run starts empty.
async function resetSchema(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`drop schema if exists public cascade`;
    await sql`drop schema if exists drizzle cascade`;
    await sql`create schema public`;
  } finally {
    await sql.end();
  }
}

// Once per run for the app suites: the build, a migrated database — DATABASE_URL when set, else an
// in-memory embedded PGlite server — and the shared stack of tests/support/app-stack.ts.
export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgres | undefined;
  let url = process.env.DATABASE_URL;
  const database = (async () => {
    if (url) {
      await resetSchema(url);
    } else {
      // Several app processes (a pool of 5 each) and the suites' own clients share it at once.
      embedded = await startEmbeddedPostgres({ port: 0, maxConnections: 60 });
      url = embedded.url;
    }
    await runMigrations(url);
    return url;
  })();
  const [databaseUrl] = await Promise.all([database, build()]);
  let emulator: EmulatorProcess | undefined;
  let app: AppProcess | undefined;
  const stop = async () => {
    mkdirSync(LOGS, { recursive: true });
    await app?.stop();
    if (emulator) {
      await emulator.stop();
      createWriteStream(path.join(LOGS, "shared-emulator.log")).end(emulator.output());
      removeDataDir(emulator.dataDir);
    }
    await embedded?.stop();
  };
  try {
    emulator = await startEmulatorProcess();
    mkdirSync(LOGS, { recursive: true });
    app = await startApp({ emulator, databaseUrl, logFile: SHARED_APP_LOG });
  } catch (err) {
    await stop();
    throw err;
  }
  project.provide("databaseUrl", databaseUrl);
  project.provide("appStack", {
    appUrl: app.url,
    emulator: { url: emulator.url, frontendUrl: emulator.frontendUrl },
  });
  return stop;
}
