import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../tests/support/app-process";
import { startChild, stopChild, waitForHttp } from "../children";

// `npm run dev` from nothing: a fresh data folder (new emulator state, new embedded database) and
// free ports; milliseconds from spawning the launcher until `/` answers 200. Next's own dev cache
// (.next/dev) is left as it is: that is what a developer's next `npm run dev` finds too.
export async function devColdStart(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-dev-"));
  const [port, emulatorPort, dbPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "development",
    PORT: String(port),
    EMULATOR_PORT: String(emulatorPort),
    EMBEDDED_DB_PORT: String(dbPort),
    DATA_DIR: dataDir,
  };
  const started = performance.now();
  const dev = startChild(
    "dev",
    process.execPath,
    ["--import", "tsx", "scripts/launch.ts", "dev"],
    env,
    { echo: false },
  );
  try {
    await waitForHttp(`http://localhost:${port}/`, 300_000, dev).catch((err: Error) => {
      throw new Error(`${err.message}\n${dev.output()}`);
    });
    return performance.now() - started;
  } finally {
    await stopChild(dev, 15_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
