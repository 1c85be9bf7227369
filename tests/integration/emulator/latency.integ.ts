import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { SKIP_BAPI_CONTRACT } from "../../support/fapi-browser";

// EMULATOR_LATENCY_MS plays a Clerk that is far away: every Backend and Frontend API answer takes
// at least that long; the emulator's own pages do not.
const LATENCY_MS = 150;

let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess({ env: { EMULATOR_LATENCY_MS: String(LATENCY_MS) } });
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

describe("EMULATOR_LATENCY_MS", () => {
  it("delays Backend API answers", async () => {
    const clerk = clerkFor(emulator.url);
    expect(await elapsed(() => clerk.users.getCount())).toBeGreaterThanOrEqual(LATENCY_MS - 5);
  });

  it("delays Frontend API answers", async () => {
    const ms = await elapsed(() =>
      fetch(`${emulator.frontendUrl}/v1/environment`, { headers: SKIP_BAPI_CONTRACT }),
    );
    expect(ms).toBeGreaterThanOrEqual(LATENCY_MS - 5);
  });

  it("refuses a malformed setting with the variable's name", async () => {
    await expect(startEmulatorProcess({ env: { EMULATOR_LATENCY_MS: "fast" } })).rejects.toThrow(
      /EMULATOR_LATENCY_MS: must be milliseconds/,
    );
  });
});
