import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, openSync, readSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appEnvForEmulator, type EmulatorUrls } from "../../scripts/lib/clerk-wiring";
import { TEST_SECRET_KEY, TEST_WEBHOOK_SECRET } from "./emulator-process";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type AppProcess = {
  url: string;
  // The server process, e.g. for the CPU time it has used (/proc/<pid>/stat).
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
};

// The servers a test file uses, for the set-up file that prints what they logged during a test
// that failed (tests/support/app-logs-on-failure.ts): `mark()` says where their log is now,
// `since(mark)` what it has logged after. One stopped during a test stays listed until the test's
// end. Kept on globalThis: the test files a worker runs share this module.
export type LoggingApp = {
  url: string;
  mark: () => number;
  since: (mark: number) => string;
  stopped: boolean;
};
const LOGGING = Symbol.for("clerk-b2b-saas-reference.logging-apps");
const registry = globalThis as typeof globalThis & { [LOGGING]?: Map<string, LoggingApp> };
export const loggingApps = (): Map<string, LoggingApp> => {
  registry[LOGGING] ??= new Map();
  return registry[LOGGING];
};

// A server another process started (the shared stack's), whose output goes to `logFile`.
export function logsToFile(url: string, logFile: string): void {
  const read = (mark: number) => {
    const size = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= mark) return "";
    const buffer = Buffer.alloc(size - mark);
    const fd = openSync(logFile, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, mark);
    } finally {
      closeSync(fd);
    }
    return buffer.toString("utf8");
  };
  loggingApps().set(url, {
    url,
    mark: () => statSync(logFile, { throwIfNoEntry: false })?.size ?? 0,
    since: read,
    stopped: false,
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

// The production server `npm start` runs (scripts/serve.ts: Next's handler behind the app's front
// door) on the build made by the global setup, wired to a test emulator the way the launcher
// wires it to the dev one. `port` is for an emulator that must know where to deliver webhooks
// before the app starts; `env` overrides variables ("" unsets one). The rate limits are set out of
// reach, so suites that send many requests (or many bad credentials) from one address measure the
// app, not the limits; the rate-limit suite sets its own.
export async function startApp(options: {
  emulator: EmulatorUrls;
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
  // Node's own options for the server process, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS).
  nodeArgs?: string[];
  // The same server from the build's standalone folder, as a container runs it
  // (`node serve.cjs start` in .next/standalone, nothing else of the checkout).
  standalone?: boolean;
  // Its output also goes to this file as it comes.
  logFile?: string;
}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const standalone = path.join(ROOT, ".next", "standalone");
  const child: ChildProcess = spawn(
    process.execPath,
    options.standalone
      ? [...(options.nodeArgs ?? []), "serve.cjs", "start"]
      : [...(options.nodeArgs ?? []), "--import", "tsx", path.join(ROOT, "scripts/serve.ts")],
    {
      cwd: options.standalone ? standalone : ROOT,
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH,
        NEXT_TELEMETRY_DISABLED: "1",
        ...appEnvForEmulator(options.emulator),
        CLERK_SECRET_KEY: TEST_SECRET_KEY,
        CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
        DATABASE_URL: options.databaseUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        API_RATE_LIMIT: "1000000",
        AUTH_FAILURE_LIMIT: "1000000",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  const collect = (d: Buffer) => {
    output += d;
    log?.write(d);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://localhost:${port}`;
  const logging: LoggingApp = {
    url,
    mark: () => output.length,
    since: (mark) => output.slice(mark),
    stopped: false,
  };
  loggingApps().set(url, logging);
  child.once("exit", () => {
    log?.end();
    logging.stopped = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app server exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the app server did not answer:\n${output}`);
    const up = await fetch(`${url}/api/health`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid as number,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    },
  };
}
