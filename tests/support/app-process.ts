import { type ChildProcess, spawn } from "node:child_process";
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
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://localhost:${port}`;
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
