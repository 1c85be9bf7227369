import path from "node:path";
import { z } from "zod";
import { BILLING_PLANS_FILE } from "../../clerk/billing-plans-file";
import { INSTANCE_SETTINGS_FILE } from "../../clerk/instance-settings";
import { ORGANIZATION_ROLES_FILE } from "../../clerk/organization-roles";

// Development defaults, also used by the dev launcher to wire the app to the emulator.
export const EMULATOR_DEFAULTS = {
  secretKey: "sk_test_emulator_dev_secret_key",
  frontendApiHost: "emulator.clerk.accounts.dev",
  webhookSigningSecret: "whsec_ZW11bGF0b3Itd2ViaG9vay1zaWduaW5nLXNlY3JldA==",
} as const;

// One validated read of the environment: every other module receives an EmulatorConfig.
const EnvSchema = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  // The Frontend API's own origin; by default the port after EMULATOR_PORT (any free one with 0).
  EMULATOR_FRONTEND_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  EMULATOR_HOST: z.string().default("127.0.0.1"),
  EMULATOR_DATA_DIR: z.string().default(".data/emulator"),
  CLERK_SECRET_KEY: z
    .string()
    .regex(/^sk_(test|live)_\S+$/, "must look like sk_test_...")
    .default(EMULATOR_DEFAULTS.secretKey),
  EMULATOR_FRONTEND_API_HOST: z
    .string()
    .regex(/\.accounts\.dev$/, "must end in .accounts.dev so the SDKs use development semantics")
    .default(EMULATOR_DEFAULTS.frontendApiHost),
  EMULATOR_AUTHORIZED_PARTY: z.url().default("http://localhost:3000"),
  EMULATOR_WEBHOOK_URL: z.url().optional(),
  CLERK_WEBHOOK_SIGNING_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, "must look like whsec_<base64>")
    .default(EMULATOR_DEFAULTS.webhookSigningSecret),
  EMULATOR_WEBHOOK_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  EMULATOR_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  EMULATOR_WEBHOOK_FAULTS: z.string().default(""),
  EMULATOR_WEBHOOK_HOLD: z.stringbool().default(false),
  EMULATOR_SEED: z.string().optional(),
  EMULATOR_ORGANIZATION_ROLES: z.string().default(ORGANIZATION_ROLES_FILE),
  EMULATOR_BILLING_PLANS: z.string().default(BILLING_PLANS_FILE),
  EMULATOR_INSTANCE_SETTINGS: z.string().default(INSTANCE_SETTINGS_FILE),
  EMULATOR_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  EMULATOR_CODE_TTL_SECONDS: z.coerce.number().int().positive().default(600),
  // A Clerk that is far away: "50" adds 50 ms to every Backend and Frontend API answer, "20-80" a
  // uniformly random delay in that range.
  EMULATOR_LATENCY_MS: z
    .string()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'must be milliseconds ("50") or a range ("20-80")')
    .default("0"),
});

export type Latency = { minMs: number; maxMs: number };

function parseLatency(spec: string): Latency {
  const [min, max = min] = spec.split("-").map(Number) as [number, number?];
  return { minMs: Math.min(min, max), maxMs: Math.max(min, max) };
}

export type EmulatorConfig = {
  // The Backend API's port (and the emulator's own pages); the Frontend API's.
  port: number;
  frontendPort: number;
  host: string;
  dataDir: string;
  secretKey: string;
  frontendApiHost: string;
  publishableKey: string;
  authorizedParty: string;
  webhookUrl: string | undefined;
  webhookSigningSecret: string;
  webhookTimeScale: number;
  webhookTimeoutMs: number;
  webhookFaults: string;
  // Queue deliveries without attempting them until POST /__emulator/webhooks/release (the dev
  // launcher releases them once the app answers).
  webhookHold: boolean;
  seedFile: string | undefined;
  organizationRolesFile: string;
  billingPlansFile: string;
  instanceSettingsFile: string;
  tokenTtlSeconds: number;
  // How long an emailed code (sign-in, sign-up, address verification, password reset) is valid.
  codeTtlSeconds: number;
  latency: Latency;
};

export class ConfigError extends Error {}

export function publishableKeyFor(frontendApiHost: string): string {
  // Clerk's format: pk_test_ + unpadded base64 of "<frontend api host>$".
  return `pk_test_${Buffer.from(`${frontendApiHost}$`).toString("base64").replace(/=+$/, "")}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EmulatorConfig {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid emulator configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    port: e.EMULATOR_PORT,
    frontendPort: e.EMULATOR_FRONTEND_PORT ?? (e.EMULATOR_PORT === 0 ? 0 : e.EMULATOR_PORT + 1),
    host: e.EMULATOR_HOST,
    dataDir: path.resolve(e.EMULATOR_DATA_DIR),
    secretKey: e.CLERK_SECRET_KEY,
    frontendApiHost: e.EMULATOR_FRONTEND_API_HOST,
    publishableKey: publishableKeyFor(e.EMULATOR_FRONTEND_API_HOST),
    authorizedParty: e.EMULATOR_AUTHORIZED_PARTY,
    webhookUrl: e.EMULATOR_WEBHOOK_URL,
    webhookSigningSecret: e.CLERK_WEBHOOK_SIGNING_SECRET,
    webhookTimeScale: e.EMULATOR_WEBHOOK_TIME_SCALE,
    webhookTimeoutMs: e.EMULATOR_WEBHOOK_TIMEOUT_MS,
    webhookFaults: e.EMULATOR_WEBHOOK_FAULTS,
    webhookHold: e.EMULATOR_WEBHOOK_HOLD,
    seedFile: e.EMULATOR_SEED ? path.resolve(e.EMULATOR_SEED) : undefined,
    organizationRolesFile: path.resolve(e.EMULATOR_ORGANIZATION_ROLES),
    billingPlansFile: path.resolve(e.EMULATOR_BILLING_PLANS),
    instanceSettingsFile: path.resolve(e.EMULATOR_INSTANCE_SETTINGS),
    tokenTtlSeconds: e.EMULATOR_TOKEN_TTL_SECONDS,
    codeTtlSeconds: e.EMULATOR_CODE_TTL_SECONDS,
    latency: parseLatency(e.EMULATOR_LATENCY_MS),
  };
}
