// Playwright's web server: one app stack per worker (E2E_WORKERS, see ./ports.ts), each the app
// exactly as a user runs it, `npm run build && npm start` (the launcher starts the emulator with
// the demo seed and, without DATABASE_URL, the embedded database), with a fresh data folder of its
// own that it removes when Playwright stops it; with DATABASE_URL, a fresh database of its own on
// that server, dropped at the end. The stacks start side by side; Playwright waits for the last
// one's health, each worker for its own (fixtures.ts). Stack i's output goes to
// test-results/logs/e2e-server-<i>.log (printed by tests/e2e/server-log-reporter.ts when a test
// fails). `npm test` has built already and says so with TEST_APP_BUILT=1; otherwise the build
// comes first, once for every stack.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { E2E_STACKS, E2E_TOKEN_TTL_SECONDS, e2eStack } from "./ports";

type Stack = ReturnType<typeof e2eStack> & {
  log: WriteStream;
  dataDir: string;
  child?: ChildProcess;
};

const stacks: Stack[] = Array.from({ length: E2E_STACKS }, (_, i) => {
  const stack = e2eStack(i);
  mkdirSync(path.dirname(stack.serverLog), { recursive: true });
  return {
    ...stack,
    log: createWriteStream(stack.serverLog),
    dataDir: mkdtempSync(path.join(tmpdir(), "e2e-data-")),
  };
});
let stopping = false;

// A stack's own database on the server of DATABASE_URL: made empty, or dropped.
async function ownDatabase(stack: Stack, drop: boolean) {
  const server = process.env.DATABASE_URL;
  if (!server) return;
  const name = new URL(stack.databaseUrl).pathname.slice(1);
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    if (!drop) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

function launch(stack: Stack, mode: "build" | "start"): ChildProcess {
  const launched = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", mode], {
    env: {
      ...process.env,
      DATA_DIR: stack.dataDir,
      PORT: String(stack.appPort),
      EMULATOR_PORT: String(stack.emulatorPort),
      EMBEDDED_DB_PORT: String(stack.embeddedDbPort),
      EMULATOR_TOKEN_TTL_SECONDS: String(E2E_TOKEN_TTL_SECONDS),
      ...(process.env.DATABASE_URL && { DATABASE_URL: stack.databaseUrl }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  launched.stdout?.pipe(stack.log, { end: false });
  launched.stderr?.pipe(stack.log, { end: false });
  stack.child = launched;
  return launched;
}

const exited = (c: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode ?? 1);
    else c.once("exit", (code) => resolve(code ?? 1));
  });

async function stopStack(stack: Stack) {
  const { child } = stack;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await exited(child);
  }
  rmSync(stack.dataDir, { recursive: true, force: true });
  await ownDatabase(stack, true).catch((err: unknown) =>
    stack.log.write(`e2e web server: ${err}\n`),
  );
  await new Promise<void>((resolve) => stack.log.end(resolve));
}

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // Playwright signals the whole process group: the launchers are stopping their children too.
  await Promise.all(stacks.map(stopStack));
  process.exit(code);
}
process.once("SIGTERM", () => void stop(0));
process.once("SIGINT", () => void stop(0));
// Playwright killed without its teardown (a SIGKILL, a crash) leaves this process orphaned: stop
// too, rather than hold the ports and the data folders.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 1_000).unref();

async function main() {
  const [first] = stacks;
  if (!first) return;
  if (process.env.TEST_APP_BUILT !== "1") {
    const code = await exited(launch(first, "build"));
    if (code !== 0) return stop(code);
  }
  await Promise.all(stacks.map((s) => ownDatabase(s, false)));
  if (stopping) return;
  // A stack that stops by itself (a crash, a port in use) ends the run: its worker's tests
  // would only time out.
  const code = await Promise.race(stacks.map((s) => exited(launch(s, "start"))));
  await stop(code === 0 ? 1 : code);
}

main().catch((err: unknown) => {
  stacks[0]?.log.write(`e2e web server: ${err instanceof Error ? err.stack : err}\n`);
  void stop(1);
});
