import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { emulatorRequest } from "../../../tests/support/emulator-client";
import {
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../../tests/support/emulator-process";
import type { Load, LoadResult } from "./load";

// The emulator's `POST /api_keys/verify` (what the app's every API-key request costs it) with
// `count` keys: a fresh emulator seeded with that many organization keys, each request verifying
// the next key in turn. Also its CPU time per verification, which a busy machine disturbs less
// than the rate.
type Run = (target: Omit<Load, "connections" | "seconds" | "amount">) => Promise<LoadResult>;

export async function emulatorVerifyRate(
  count: number,
  warmUp: Run,
  measure: Run,
): Promise<LoadResult & { cpuMicroseconds: number }> {
  const seedDir = mkdtempSync(path.join(tmpdir(), "bench-seed-"));
  const seedFile = path.join(seedDir, "keys.json");
  const secrets = Array.from(
    { length: count },
    () => `ak_bench_${randomBytes(16).toString("hex")}`,
  );
  writeFileSync(
    seedFile,
    JSON.stringify({
      organizations: [{ name: "Verify Inc", slug: "verify" }],
      api_keys: secrets.map((secret, i) => ({
        name: `verify ${i}`,
        owner: { organization: "verify" },
        secret,
      })),
    }),
  );
  const emulator = await startEmulatorProcess({ env: { EMULATOR_SEED: seedFile } });
  const cpuMs = async () =>
    (await emulatorRequest(emulator.url, "GET", "/__emulator/stats")).body.cpu_ms as number;
  const target = {
    url: `${emulator.url}/api_keys/verify`,
    method: "POST" as const,
    headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, "content-type": "application/json" },
    bodies: secrets.map((secret) => JSON.stringify({ secret })),
  };
  try {
    await warmUp(target);
    const before = await cpuMs();
    const result = await measure(target);
    return { ...result, cpuMicroseconds: ((await cpuMs()) - before) * (1000 / result.sent) };
  } finally {
    await emulator.stop();
    removeDataDir(emulator.dataDir);
    rmSync(seedDir, { recursive: true, force: true });
  }
}
