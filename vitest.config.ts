import { defineConfig } from "vitest/config";

export default defineConfig({
  // The `@/` imports of src/, for tests that load app modules.
  resolve: { tsconfigPaths: true },
  test: {
    // Off: the SDK's notice about Clerk's telemetry would print once per test file.
    env: { CLERK_TELEMETRY_DISABLED: "1" },
    // Integration files mostly wait (on their emulator and app, on scheduled deliveries, on
    // expiries), so more files than cores run at once (the default is cores - 1: one, here).
    maxWorkers: 3,
    // One process per worker for all the files it runs, instead of one per file: each process
    // pays for Node, the module graph (@clerk/backend, drizzle, ajv...) and the OpenAPI documents
    // again, seconds of CPU per file. Files share no state: none mocks modules or changes the
    // environment, and each starts, and stops, what it uses.
    isolate: false,
    // After the usual output, a summary of what failed and what passed only on its retry; the
    // summary names each test's line.
    reporters: ["default", "./tests/support/vitest-summary-reporter.ts"],
    includeTaskLocation: true,
    // In CI a failed test runs once more, as Playwright's do: the integration tests drive
    // production servers, emulators and timers on a shared two-core machine. One that passes only
    // then is listed at the end of the output (tests/support/vitest-summary-reporter.ts).
    retry: process.env.CI ? 1 : 0,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          // Compiling Clerk's OpenAPI specs and starting PGlite take seconds of CPU, which the unit
          // files share with the integration files running beside them.
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "emulator",
          include: ["tests/integration/emulator/**/*.integ.ts"],
          setupFiles: ["tests/support/contract-setup.ts"],
          testTimeout: 30_000,
          // Above the emulator-start guard (tests/support/emulator-process.ts), so its message shows.
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          name: "app",
          include: ["tests/integration/app/**/*.integ.ts"],
          globalSetup: ["tests/support/app-global-setup.ts"],
          setupFiles: ["tests/support/contract-setup.ts", "tests/support/app-logs-on-failure.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
