// `npm test`: every suite, once, with each phase's time at the end.
//
//   1. Biome and the TypeScript check (seconds: a lint error stops the run before anything slow);
//   2. the production build, once (its output goes to test-results/logs/build.log, printed only if
//      it fails);
//   3. Vitest's projects (unit, emulator, app) and then Playwright, both on that build
//      (TEST_APP_BUILT tells their set-up not to build again).
//
// The build runs alone: it takes both cores, and suites beside it would only time out.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const LOGS = "test-results/logs";
mkdirSync(LOGS, { recursive: true });

type Phase = { name: string; seconds: number; ok: boolean };
const phases: Phase[] = [];
const running = new Set<ChildProcess>();

function run(
  name: string,
  command: string,
  args: string[],
  options: { logFile?: string; env?: Record<string, string> } = {},
): Promise<boolean> {
  const started = Date.now();
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  const child = spawn(command, args, {
    stdio: ["ignore", log ? "pipe" : "inherit", log ? "pipe" : "inherit"],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  child.stdout?.pipe(log as NodeJS.WritableStream, { end: false });
  child.stderr?.pipe(log as NodeJS.WritableStream, { end: false });
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      const ok = code === 0;
      phases.push({ name, seconds: (Date.now() - started) / 1000, ok });
      log?.end(() => {
        if (!ok && options.logFile) {
          process.stderr.write(`\n== ${name} failed; its output (${options.logFile}):\n`);
          process.stderr.write(readFileSync(options.logFile, "utf8"));
        }
        resolve(ok);
      });
      if (!log) resolve(ok);
    });
  });
}

const npx = (bin: string) => path.join("node_modules", ".bin", bin);

function summary() {
  process.stdout.write("\n== npm test phases (wall-clock seconds)\n");
  for (const p of phases) {
    process.stdout.write(
      `   ${p.ok ? "ok  " : "FAIL"} ${p.name.padEnd(34)} ${p.seconds.toFixed(1).padStart(6)} s\n`,
    );
  }
}

function finish(ok: boolean, started: number): never {
  summary();
  process.stdout.write(`   total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(ok ? 0 : 1);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill(signal);
    process.exit(130);
  });
}

async function main() {
  const started = Date.now();
  if (!(await run("lint (biome)", npx("biome"), ["check", "."]))) finish(false, started);
  if (!(await run("typecheck (tsc)", npx("tsc"), ["--noEmit"]))) finish(false, started);

  const build = ["--import", "tsx", "scripts/launch.ts", "build"];
  const logFile = path.join(LOGS, "build.log");
  if (!(await run("build (next build)", process.execPath, build, { logFile }))) {
    finish(false, started);
  }

  const env = { TEST_APP_BUILT: "1" };
  if (!(await run("vitest (unit, emulator, app)", npx("vitest"), ["run"], { env }))) {
    finish(false, started);
  }
  if (!(await run("playwright", npx("playwright"), ["test"], { env }))) finish(false, started);
  finish(true, started);
}

void main();
