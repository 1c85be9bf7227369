import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

import { APP_PORT, APP_URL, EMBEDDED_DB_PORT, EMULATOR_PORT } from "./tests/e2e/ports";

// Debian's Chromium where it is installed (CI, machines without Playwright's download), else
// Playwright's own.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) =>
  existsSync(p),
);
const executablePath = process.env.CHROMIUM_PATH ?? systemChromium;

// A fresh emulator state and embedded database for every run.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "e2e-data-"));
// Workers load this file again: they inherit the folder instead of making their own.
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.e2e.ts",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: APP_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  // The app exactly as a user runs it: `npm run build && npm start` (the launcher starts the
  // emulator with the demo seed and, without DATABASE_URL, the embedded database).
  webServer: {
    command:
      "node --import tsx scripts/launch.ts build && node --import tsx scripts/launch.ts start",
    url: `${APP_URL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(APP_PORT),
      EMULATOR_PORT: String(EMULATOR_PORT),
      EMBEDDED_DB_PORT: String(EMBEDDED_DB_PORT),
      DATA_DIR: dataDir,
    },
  },
});
