import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "emulator",
          include: ["tests/integration/emulator/**/*.integ.ts"],
          setupFiles: ["tests/support/contract-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The app's modules import each other as `@/...`.
        resolve: { tsconfigPaths: true },
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
