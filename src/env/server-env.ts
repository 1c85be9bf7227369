import { z } from "zod";

// Every variable the server reads, validated once. Nothing else reads process.env.
const optionalUrl = z.url().optional();

const perMinute = z.coerce
  .number({ error: "must be a whole number of requests per minute" })
  .int("must be a whole number of requests per minute")
  .min(1, "must be at least 1 per minute");

const ServerEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: "is required: a postgres:// URL (npm run dev sets one for you)" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: z
    .string({ error: "is required: your Clerk publishable key (pk_test_... or pk_live_...)" })
    .regex(/^pk_(test|live)_[A-Za-z0-9+/=]+$/, "must look like pk_test_... or pk_live_..."),
  CLERK_SECRET_KEY: z
    .string({ error: "is required: your Clerk secret key (sk_test_... or sk_live_...)" })
    .regex(/^sk_(test|live)_\S+$/, "must look like sk_test_... or sk_live_..."),
  CLERK_WEBHOOK_SIGNING_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, "must look like whsec_... (Clerk dashboard > Webhooks)")
    .optional(),
  // Emulator wiring; all unset when running against Clerk itself.
  CLERK_API_URL: optionalUrl,
  CLERK_FAPI_URL: optionalUrl,
  NEXT_PUBLIC_CLERK_PROXY_URL: z
    .string()
    .regex(/^(\/|https?:\/\/)/, "must be a path (/__clerk) or an http(s) URL")
    .optional(),
  // Networkless session verification: @clerk/nextjs does not read CLERK_JWT_KEY by itself.
  CLERK_JWT_KEY: z
    .string()
    .includes("BEGIN PUBLIC KEY", {
      error: "must be a PEM public key (Clerk dashboard > API keys)",
    })
    .optional(),
  // The app as a Clerk machine (machine-to-machine authentication): its secret key, from the
  // Dashboard's Machines page (the emulator's dev seed has one). Without it the machine routes
  // (/api/internal/*) answer 503. @clerk/nextjs reads it too, to verify M2M tokens with it.
  CLERK_MACHINE_SECRET_KEY: z
    .string()
    .regex(/^ak_\w+$/, "must be a machine secret key (ak_..., Clerk dashboard > Machines)")
    .optional(),
  CLERK_AUTHORIZED_PARTIES: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ error: "must be a comma-separated list of origins" })))
    .optional(),
  // Rate limits (src/rate-limit/): API requests per credential, and failed credentials per client
  // address, each per minute. With REDIS_URL the counts are shared by every instance of the app.
  // API_RATE_LIMIT unset: each organization's plan sets its limit (600 outside an organization).
  API_RATE_LIMIT: perMinute.optional(),
  AUTH_FAILURE_LIMIT: perMinute.default(30),
  // How long Clerk's verification of an API key (or other machine token) is trusted, in seconds
  // (src/auth/credential-cache.ts): 0 asks Clerk on every request. At most 60, the lifetime of
  // Clerk's own session tokens: a key revoked in Clerk's Dashboard works at most this long after.
  // Also how often a plan refusal may read an organization's plan again (organization-plan.ts).
  API_KEY_CACHE_SECONDS: z.coerce
    .number({ error: "must be a whole number of seconds from 0 to 60" })
    .int("must be a whole number of seconds from 0 to 60")
    .min(0, "must be a whole number of seconds from 0 to 60")
    .max(60, "must be at most 60 (seconds): Clerk's session tokens live that long")
    .default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  // How many reverse proxies (load balancers) in front of the app append to X-Forwarded-For: the
  // client address is the entry that many places from the right (src/http/request-identity.ts).
  // The app's public origin: what redirects and Clerk's callbacks are built from, never the Host or
  // X-Forwarded-Host a client sent (src/auth/gates/app-origin.ts). Default: where the launcher
  // serves it, http://localhost:$PORT.
  APP_URL: z
    .url({
      protocol: /^https?$/,
      error: "must be the app's public origin, e.g. https://app.example.com",
    })
    .transform((url) => new URL(url).origin)
    .optional(),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ error: "must be a whole number (0 when clients connect to the app directly)" })
    .int("must be a whole number (0 when clients connect to the app directly)")
    .min(0, "must be 0 or more")
    .max(10, "must be at most 10")
    .default(0),
});

export type ServerEnv = Omit<z.infer<typeof ServerEnvSchema>, "APP_URL"> & { APP_URL: string };

export class EnvError extends Error {}

export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = ServerEnvSchema.safeParse(present);
  if (parsed.success) {
    const env = parsed.data;
    return { ...env, APP_URL: env.APP_URL ?? `http://localhost:${env.PORT}` };
  }
  const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")} ${i.message}`);
  throw new EnvError(
    [
      "Invalid environment:",
      ...lines,
      "Set them in .env.local (see .env.example), or run `npm run dev`, which starts the Clerk",
      "emulator and an embedded database and sets them for you.",
    ].join("\n"),
  );
}

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv(process.env);
  return cached;
}
