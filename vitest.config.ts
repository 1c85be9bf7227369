import { defineConfig } from "vitest/config";

export default defineConfig({
  // The `@/` imports of src/, for tests that load app modules.
  resolve: { tsconfigPaths: true },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "emulator",
          include: ["tests/integration/emulator/**/*.integ.ts"],
          setupFiles: ["tests/support/contract-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "app",
          include: ["tests/integration/app/**/*.integ.ts"],
          globalSetup: ["tests/support/app-global-setup.ts"],
          setupFiles: ["tests/support/contract-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
