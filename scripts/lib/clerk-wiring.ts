import { EMULATOR_DEFAULTS, publishableKeyFor } from "../../emulator/src/config";

// The emulator's fixed development values: the emulator and the app must agree on them, and the
// publishable key is inlined into the client bundle at build time, so `build` and `start` must
// compute the same one.
const { secretKey: EMULATOR_SECRET_KEY, webhookSigningSecret: EMULATOR_WEBHOOK_SECRET } =
  EMULATOR_DEFAULTS;
export const EMULATOR_PUBLISHABLE_KEY = publishableKeyFor(EMULATOR_DEFAULTS.frontendApiHost);
export const EMULATOR_PROXY_PATH = "/__clerk";

// Whether the environment still uses the emulator's documented development secrets, which anyone
// can look up: fine on this machine, not on a network.
export function usesDefaultSecrets(env: NodeJS.ProcessEnv): {
  secretKey: boolean;
  webhook: boolean;
} {
  return {
    secretKey: env.CLERK_SECRET_KEY === EMULATOR_SECRET_KEY,
    webhook: env.CLERK_WEBHOOK_SIGNING_SECRET === EMULATOR_WEBHOOK_SECRET,
  };
}
export const DEV_SEED = "emulator/seed/dev.json";

// The dev seed's machines (M2M authentication): the app's own, which the launcher hands the app as
// CLERK_MACHINE_SECRET_KEY, and the reconcile job's, which has a scope to it (what `npm run
// job:reconcile` uses when JOB_MACHINE_SECRET_KEY is not set).
export const DEV_APP_MACHINE_SECRET = "ak_dev_machine_acme_projects_app_00000000";
export const DEV_JOB_MACHINE_SECRET = "ak_dev_machine_reconcile_job_000000000000";

export type ClerkMode = "clerk" | "emulator";

// Real Clerk when both keys are configured; otherwise the emulator, with no account needed.
export function clerkMode(env: NodeJS.ProcessEnv): ClerkMode {
  return env.CLERK_SECRET_KEY && env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ? "clerk" : "emulator";
}

// Where an emulator answers: its Backend API (and its own pages) and its Frontend API.
export type EmulatorUrls = { url: string; frontendUrl: string };

// The emulator's Frontend API port when only its Backend API port is given (emulator/src/config.ts).
export function emulatorUrlsAt(port: number): EmulatorUrls {
  return { url: `http://127.0.0.1:${port}`, frontendUrl: `http://127.0.0.1:${port + 1}` };
}

// What the app needs to talk to an emulator: its server calls the Backend API, and browsers reach
// the Frontend API through the app's own same-origin proxy.
export function appEnvForEmulator(emulator: EmulatorUrls): Record<string, string> {
  return {
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: EMULATOR_PUBLISHABLE_KEY,
    CLERK_SECRET_KEY: EMULATOR_SECRET_KEY,
    CLERK_API_URL: emulator.url,
    CLERK_FAPI_URL: emulator.frontendUrl,
    NEXT_PUBLIC_CLERK_PROXY_URL: EMULATOR_PROXY_PATH,
    CLERK_WEBHOOK_SIGNING_SECRET: EMULATOR_WEBHOOK_SECRET,
    NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: "1",
    CLERK_TELEMETRY_DISABLED: "1",
    NEXT_PUBLIC_CLERK_KEYLESS_DISABLED: "1",
  };
}

// The emulator's side of the same wiring. The secrets default to the emulator's development ones;
// pass the app's when they were set explicitly, so the two agree.
export function emulatorEnv(options: {
  port: number;
  frontendPort: number;
  appOrigin: string;
  // Where the emulator reaches the app to deliver webhooks (default: appOrigin).
  localOrigin?: string;
  dataDir: string;
  seed: string;
  secretKey?: string;
  webhookSigningSecret?: string;
}): Record<string, string> {
  return {
    EMULATOR_PORT: String(options.port),
    EMULATOR_FRONTEND_PORT: String(options.frontendPort),
    EMULATOR_DATA_DIR: options.dataDir,
    EMULATOR_SEED: options.seed,
    CLERK_SECRET_KEY: options.secretKey ?? EMULATOR_SECRET_KEY,
    EMULATOR_AUTHORIZED_PARTY: options.appOrigin,
    EMULATOR_WEBHOOK_URL: `${options.localOrigin ?? options.appOrigin}/api/webhooks/clerk`,
    CLERK_WEBHOOK_SIGNING_SECRET: options.webhookSigningSecret ?? EMULATOR_WEBHOOK_SECRET,
  };
}
