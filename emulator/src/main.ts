import { BillingPlansFileError } from "../../clerk/billing-plans";
import { InstanceSettingsFileError } from "../../clerk/instance-settings";
import { OrganizationRolesFileError } from "../../clerk/organization-roles";
import { ConfigError, EMULATOR_DEFAULTS, loadConfig } from "./config";
import { notEmulated } from "./domain/instance-settings";
import { findUserByEmail } from "./domain/users";
import { readSeed, SeedError } from "./seed";
import { startEmulator } from "./server";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function main() {
  const config = loadConfig();
  const emulator = await startEmulator(config);
  const { core, url, frontendUrl } = emulator;
  const bar = "=".repeat(72);
  console.log(bar);
  console.log("Clerk emulator: a DEVELOPMENT tool, not Clerk. Never expose it to a network.");
  console.log(`  Backend API + JWKS  ${url}/v1  (CLERK_API_URL=${url})`);
  console.log(`  Frontend API        ${frontendUrl}  (CLERK_FAPI_URL=${frontendUrl})`);
  console.log(`  Inspect page        ${url}/__emulator`);
  console.log(`  Publishable key     ${config.publishableKey}`);
  console.log(`  Data directory      ${config.dataDir}`);
  console.log(
    `  Webhooks            ${config.webhookUrl ?? "off (EMULATOR_WEBHOOK_URL is not set)"}`,
  );
  // Instance settings declared on that the emulator cannot serve yet, a few to a line.
  const left = notEmulated(core.instanceSettings);
  for (let i = 0; i < left.length; i += 2) {
    const label = i === 0 ? "Not emulated (off)" : "";
    console.log(`  ${label.padEnd(18)}  ${left.slice(i, i + 2).join(", ")}`);
  }
  const seeded = config.seedFile ? readSeed(config.seedFile).users : [];
  for (const u of seeded.filter((u) => u.password && findUserByEmail(core, u.email))) {
    console.log(`  Sign in as          ${u.email} / ${u.password}`);
  }
  if (!LOOPBACK.has(config.host)) {
    console.log("");
    console.log(`  WARNING: listening on ${config.host}, not loopback. Anyone who can reach this`);
    console.log("  address can read and change every user, session and API key it holds.");
    if (config.secretKey === EMULATOR_DEFAULTS.secretKey) {
      console.log("  Its secret key is the documented default: anyone can use the Backend API.");
    }
  }
  console.log(bar);

  const shutdown = async (signal: string) => {
    console.log(`emulator: ${signal}, shutting down`);
    await emulator.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  // Whoever started us (the dev launcher, a test run) is gone: do not linger as an orphan.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown("parent exited");
  }, 1_000).unref();
}

main().catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof SeedError ||
    err instanceof OrganizationRolesFileError ||
    err instanceof BillingPlansFileError ||
    err instanceof InstanceSettingsFileError
  ) {
    console.error(err.message);
  } else if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
    console.error(
      `emulator: port ${(err as { port?: number }).port ?? process.env.EMULATOR_PORT ?? 4010} is` +
        " already in use (another emulator or `npm run dev` still running?). Stop it, or set" +
        " EMULATOR_PORT (and EMULATOR_FRONTEND_PORT, by default the next port) to free ports.",
    );
  } else {
    console.error(err);
  }
  process.exit(1);
});
