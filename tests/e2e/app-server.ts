// Playwright's web server: the app exactly as a user runs it, `npm run build && npm start` (the
// launcher starts the emulator with the demo seed and, without DATABASE_URL, the embedded
// database), with a fresh data folder of its own that it removes when Playwright stops it. Its
// output goes to test-results/logs/e2e-server.log (printed by tests/e2e/server-log-reporter.ts
// when a test fails). `npm test` has built already and says so with TEST_APP_BUILT=1.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SERVER_LOG } from "./ports";

mkdirSync(path.dirname(SERVER_LOG), { recursive: true });
const log = createWriteStream(SERVER_LOG);
const dataDir = mkdtempSync(path.join(tmpdir(), "e2e-data-"));
let child: ChildProcess | undefined;
let stopping = false;

function launch(mode: "build" | "start"): ChildProcess {
  const launched = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", mode], {
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  launched.stdout?.pipe(log, { end: false });
  launched.stderr?.pipe(log, { end: false });
  return launched;
}

const exited = (c: ChildProcess) =>
  new Promise<number>((resolve) => c.once("exit", (code) => resolve(code ?? 1)));

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // Playwright signals the whole process group: the launcher is stopping its children too.
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await exited(child);
  }
  rmSync(dataDir, { recursive: true, force: true });
  log.end(() => process.exit(code));
}
process.once("SIGTERM", () => void stop(0));
process.once("SIGINT", () => void stop(0));
// Playwright killed without its teardown (a SIGKILL, a crash) leaves this process orphaned: stop
// too, rather than hold the ports and the data folder.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 1_000).unref();

async function main() {
  if (process.env.TEST_APP_BUILT !== "1") {
    child = launch("build");
    const code = await exited(child);
    if (code !== 0) return stop(code);
  }
  if (stopping) return;
  child = launch("start");
  const code = await exited(child);
  await stop(code);
}

main().catch((err: unknown) => {
  log.write(`e2e web server: ${err instanceof Error ? err.stack : err}\n`);
  void stop(1);
});
