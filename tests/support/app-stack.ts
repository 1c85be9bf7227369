import { inject } from "vitest";
import { logsToFile } from "./app-process";
import { clerkApiOrigins } from "./clerk-api-origins";
import { clerkFor } from "./emulator-client";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    appStack: { appUrl: string; emulator: { url: string; frontendUrl: string } };
  }
}

// The shared app's output, as it comes (printed under a test that fails).
export const SHARED_APP_LOG = "test-results/logs/shared-app.log";

// The app suites' shared stack: one emulator (no webhook endpoint: the database holds only what a
// test writes or delivers itself) and one production app server on the run's database, started
// once per `vitest run` by tests/support/app-global-setup.ts. A file that needs nothing special of
// either uses this instead of starting its own pair, which costs seconds of CPU per file:
//
//   const { app, emulator, databaseUrl, clerk } = appStack();
//   // app.url; emulator.url (Backend API), emulator.frontendUrl (Frontend API)
//
// Files run side by side on it, so a test creates its own users and organizations with
// `unique()` names (emulator-client.ts) and never counts rows it did not create. A file that needs
// its own settings (webhooks to its app, rate limits, a frozen Clerk, the app's log output) starts
// its own with startEmulatorProcess() and startApp().
export function appStack() {
  const { appUrl, emulator } = inject("appStack");
  logsToFile(appUrl, SHARED_APP_LOG);
  // Its answers are checked against Clerk's spec like any emulator's a test starts.
  clerkApiOrigins.add(new URL(emulator.url).origin);
  return {
    app: { url: appUrl },
    emulator,
    databaseUrl: inject("databaseUrl"),
    clerk: clerkFor(emulator.url),
  };
}
