import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { clerkApiOrigins } from "./clerk-api-origins";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TEST_SECRET_KEY = "sk_test_integration_secret_key";
export const TEST_WEBHOOK_SECRET = "whsec_aW50ZWdyYXRpb24tdGVzdHMtd2ViaG9vay1zZWNyZXQ=";
export const TEST_PUBLISHABLE_KEY = `pk_test_${Buffer.from("emulator.clerk.accounts.dev$").toString("base64").replace(/=+$/, "")}`;

export type EmulatorProcess = {
  // The Backend API (and the emulator's own pages); the Frontend API.
  url: string;
  frontendUrl: string;
  // The process itself, for suites that freeze it (SIGSTOP) to play an unresponsive Clerk.
  pid: number;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
  // SIGKILL: no shutdown code runs, as in a crash or a power cut of the process.
  kill: () => Promise<void>;
  // Same data dir and port, new process: what a developer's restart does.
  restart: (env?: Record<string, string>) => Promise<EmulatorProcess>;
};

export type EmulatorOptions = {
  env?: Record<string, string>;
  dataDir?: string;
};

// Starts the emulator as its own process, as the dev launcher does; resolves once it prints
// its address. Port 0 lets the OS pick a free port, so suites can run in parallel.
export async function startEmulatorProcess(
  options: EmulatorOptions = {},
): Promise<EmulatorProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "clerk-emulator-"));
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/src/main.ts"], {
    cwd: ROOT,
    // Only what the test sets: a developer's own EMULATOR_* variables must not leak in.
    env: {
      NODE_ENV: "test",
      PATH: process.env.PATH,
      EMULATOR_PORT: "0",
      EMULATOR_DATA_DIR: dataDir,
      CLERK_TELEMETRY_DISABLED: "1",
      CLERK_SECRET_KEY: TEST_SECRET_KEY,
      CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const [url, frontendUrl] = await new Promise<[string, string]>((resolve, reject) => {
    // A guard against a hang, not a measure: several starting at once on a busy 2-core machine
    // take tens of seconds.
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 60_000);
    // Ready once the whole start-up banner (between two rules of "=") has been printed.
    const check = () => {
      const match =
        /CLERK_API_URL=(http:\/\/\S+?)\)[\s\S]*CLERK_FAPI_URL=(http:\/\/\S+?)\)[\s\S]*\n={20,}\n/.exec(
          output,
        );
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        resolve([match[1], match[2]]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    // A start that fails (on purpose, for a bad setting) leaves no data folder behind.
    await stopChild(child, "SIGKILL");
    if (ownDataDir) removeDataDir(dataDir);
    throw err;
  });
  clerkApiOrigins.add(new URL(url).origin);
  const stop = () => stopChild(child);
  return {
    url,
    frontendUrl,
    pid: child.pid as number,
    dataDir,
    output: () => output,
    stop,
    kill: () => stopChild(child, "SIGKILL"),
    restart: async (env = {}) => {
      await stop();
      return startEmulatorProcess({
        ...options,
        dataDir,
        env: {
          ...options.env,
          EMULATOR_PORT: new URL(url).port,
          EMULATOR_FRONTEND_PORT: new URL(frontendUrl).port,
          ...env,
        },
      });
    },
  };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

export function removeDataDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}
