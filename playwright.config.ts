import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

import { APP_URL, E2E_STACKS, e2eStack } from "./tests/e2e/ports";

// Debian's Chromium where it is installed (CI, machines without Playwright's download), else
// Playwright's own. Headless, as Playwright's own install does, its headless shell
// (Debian's chromium-headless-shell): the same engine without the full browser's window and
// features, measured at 30 % less CPU for the same tests (the whole suite, 2 workers: 290
// CPU-seconds against 410, 175 s against 226); the full browser for a window (--headed, --ui,
// --debug).
const headed = ["--headed", "--ui", "--debug"].some((flag) => process.argv.includes(flag));
const systemChromium = [
  ...(headed ? [] : ["/usr/lib/chromium/chromium-headless-shell"]),
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
].find((p) => existsSync(p));
const executablePath = process.env.CHROMIUM_PATH ?? systemChromium;

// The tests' own @clerk/backend client would print Clerk's telemetry notice.
process.env.CLERK_TELEMETRY_DISABLED = "1";

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.e2e.ts",
  outputDir: "test-results/e2e",
  // One worker per app stack (tests/e2e/ports.ts): a file's tests run in order in one worker, the
  // files spread over the workers. Each worker's own stack keeps its tests' data and instance
  // settings (an e2e test may switch one) away from the other's.
  fullyParallel: false,
  workers: E2E_STACKS,
  // In CI one retry: a browser suite driving Clerk's animated components on a loaded two-core
  // machine meets the odd timing miss a second run does not; the reporter names every test that
  // passed only on its retry, at the end of the output, so a flaky test is seen and fixed, not hidden.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["./tests/e2e/server-log-reporter.ts"]],
  use: {
    baseURL: APP_URL,
    // No trace by default: recording one (a screencast and DOM snapshots of every step) cost a
    // third of the suite's CPU, for every test, to keep the few that fail; a failure still leaves
    // its screenshot and the server's log. To trace: `npx playwright test --trace on <file>`.
    trace: "off",
    screenshot: "only-on-failure",
    // The browser asks for reduced motion, as some users' systems do: Clerk's components and the
    // app's own transitions then animate less, which a page that repaints fewer frames answers with
    // less CPU (measured on 19 tests, 2 workers, three runs each: 144 against 159 CPU-seconds).
    contextOptions: { reducedMotion: "reduce" },
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
  // The app exactly as a user runs it, one stack per worker, each with a fresh emulator state and
  // database of its own, quiet (tests/e2e/app-server.ts); stopped with SIGTERM so it removes its
  // data. Ready once the last stack answers; each worker also waits for its own (fixtures.ts).
  webServer: {
    command: "node --import tsx tests/e2e/app-server.ts",
    url: `${e2eStack(E2E_STACKS - 1).appUrl}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "ignore",
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
  },
});
