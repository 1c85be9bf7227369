import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS } from "../../../emulator/src/config";
import { freePort } from "../../support/app-process";

// `npm run dev` as a new user first runs it: no Clerk keys, no DATABASE_URL, an empty data
// directory. The emulator's seed emits its events before the app can answer them.
let launcher: ChildProcess;
let output = "";
let emulatorUrl: string;
const dataDir = mkdtempSync(path.join(tmpdir(), "first-run-"));

beforeAll(async () => {
  // Each port its own free one: the Frontend API's default (the emulator's port + 1) may be taken
  // (seen once in a whole-suite run: "port … is already in use").
  const [port, emulatorPort, frontendPort, dbPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  launcher = spawn(process.execPath, ["--import", "tsx", "scripts/launch.ts", "dev"], {
    env: {
      NODE_ENV: "development",
      PATH: process.env.PATH,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_FRONTEND_PORT: String(frontendPort),
      EMBEDDED_DB_PORT: String(dbPort),
      DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcher.stdout?.on("data", (d) => {
    output += d;
  });
  launcher.stderr?.on("data", (d) => {
    output += d;
  });
  // The launcher prints its banner once the app answers and the emulator's deliveries are released.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes("Ctrl-C stops everything")) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
    launcher.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`the launcher exited with ${code}:\n${output}`));
    });
  });
}, 300_000);

afterAll(async () => {
  if (launcher.exitCode === null) {
    const exited = new Promise((resolve) => launcher.once("exit", resolve));
    launcher.kill("SIGTERM");
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

type Delivery = { event_type: string; state: string; attempts: { status: number | null }[] };

async function deliveryLog(): Promise<{ data: Delivery[]; pending: number; on_hold: boolean }> {
  const res = await fetch(`${emulatorUrl}/__emulator/webhooks`, {
    headers: { authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}` },
  });
  return res.json();
}

describe("a first `npm run dev` with a fresh data directory", () => {
  it("delivers every seed event at its first attempt: no failed attempts in the emulator's log", async () => {
    let log = await deliveryLog();
    const deadline = Date.now() + 60_000;
    while (log.pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      log = await deliveryLog();
    }
    expect(log.on_hold).toBe(false);
    expect(log.data.map((m) => m.event_type)).toEqual(
      expect.arrayContaining(["user.created", "organization.created"]),
    );
    expect(
      log.data.map((m) => ({
        event: m.event_type,
        state: m.state,
        attempts: m.attempts.map((a) => a.status),
      })),
    ).toEqual(log.data.map((m) => ({ event: m.event_type, state: "succeeded", attempts: [200] })));
  }, 90_000);
});
