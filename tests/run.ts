// `npm test`: every suite, once, with each step's time at the end.
//
//   1. Biome and the TypeScript check (seconds: a lint error stops the run before anything slow);
//   2. the production build, once (its output goes to test-results/logs/build.log, printed only if
//      it fails), beside Vitest's unit and emulator projects, which do not need it: the build
//      leaves most of the two cores idle, and those suites mostly wait on their emulators;
//   3. Vitest's app project, then Playwright, both on that build (TEST_APP_BUILT tells their set-up
//      not to build again). These two stay apart: both start production servers and drive them
//      hard, and a suite that makes thousands of round trips to its database slows tenfold beside
//      them on a busy machine (measured: the webhook-sync property test, 13 s alone, timed out at
//      120 s beside Playwright).
//
// A step's CPU time (its processes', children included) is printed beside its wall-clock time,
// with the load average: on a shared machine the wall clock says more about the neighbours. Steps
// side by side share one CPU figure.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const LOGS = "test-results/logs";
mkdirSync(LOGS, { recursive: true });

type Step = { name: string; seconds: number; ok: boolean };
type Group = { steps: Step[]; cpuSeconds: number };
const groups: Group[] = [];
const running = new Set<ChildProcess>();

// User + system CPU seconds of this process's children that have ended (and theirs, each waited
// for by its parent): Linux's cutime and cstime, fields 16 and 17 of /proc/self/stat.
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

const loadAverage = () => {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
};
const startLoad = loadAverage();

type Command = {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  // Output to this file instead of the terminal, printed if the step fails.
  logFile?: string;
};

function run(step: Command): Promise<Step> {
  const started = Date.now();
  const log = step.logFile ? createWriteStream(step.logFile) : undefined;
  const child = spawn(step.command, step.args, {
    stdio: ["ignore", log ? "pipe" : "inherit", log ? "pipe" : "inherit"],
    env: { ...process.env, ...step.env },
  });
  running.add(child);
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      const result = { name: step.name, seconds: (Date.now() - started) / 1000, ok: code === 0 };
      if (log) log.end(() => resolve(result));
      else resolve(result);
    });
  });
}

// Runs the commands side by side; true when all of them passed.
async function together(...commands: Command[]): Promise<boolean> {
  const cpuBefore = childrenCpuSeconds();
  const steps = await Promise.all(commands.map(run));
  groups.push({ steps, cpuSeconds: childrenCpuSeconds() - cpuBefore });
  for (const [i, step] of steps.entries()) {
    const { logFile } = commands[i] as Command;
    if (logFile && !step.ok) {
      process.stderr.write(`\n== ${step.name} failed; its output (${logFile}):\n`);
      process.stderr.write(readFileSync(logFile, "utf8"));
    }
  }
  return steps.every((s) => s.ok);
}

const npx = (bin: string) => path.join("node_modules", ".bin", bin);

function finish(ok: boolean, started: number): never {
  process.stdout.write("\n== npm test steps (seconds: wall clock; CPU, user+system)\n");
  for (const { steps, cpuSeconds } of groups) {
    for (const [i, s] of steps.entries()) {
      const cpu =
        i === 0
          ? `${cpuSeconds.toFixed(1).padStart(6)} s CPU${steps.length > 1 ? ", these together" : ""}`
          : "";
      process.stdout.write(
        `   ${s.ok ? "ok  " : "FAIL"} ${s.name.padEnd(34)} ${s.seconds.toFixed(1).padStart(6)} s ${cpu}\n`,
      );
    }
  }
  const cpu = groups.reduce((sum, g) => sum + g.cpuSeconds, 0);
  process.stdout.write(
    `   total ${((Date.now() - started) / 1000).toFixed(1)} s, ${cpu.toFixed(1)} s CPU;` +
      ` load average ${loadAverage()} (at the start: ${startLoad})\n`,
  );
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
  const step = (name: string, bin: string, args: string[], more: Partial<Command> = {}) => ({
    name,
    command: npx(bin),
    args,
    ...more,
  });
  if (!(await together(step("lint (biome)", "biome", ["check", "."])))) finish(false, started);
  if (!(await together(step("typecheck (tsc)", "tsc", ["--noEmit"])))) finish(false, started);

  const built = await together(
    {
      name: "build (next build)",
      command: process.execPath,
      args: ["--import", "tsx", "scripts/launch.ts", "build"],
      // The typecheck step has just checked these sources (next.config.ts).
      env: { BUILD_TYPECHECKED: "1" },
      logFile: path.join(LOGS, "build.log"),
    },
    step("vitest unit, emulator", "vitest", ["run", "--project", "unit", "--project", "emulator"]),
  );
  if (!built) finish(false, started);

  const env = { TEST_APP_BUILT: "1" };
  if (!(await together(step("vitest app", "vitest", ["run", "--project", "app"], { env })))) {
    finish(false, started);
  }
  finish(await together(step("playwright", "playwright", ["test"], { env })), started);
}

void main();
