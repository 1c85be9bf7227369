import { createHash } from "node:crypto";
import Redis from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import { serverEnv } from "@/env/server-env";
import { logger } from "@/observability/logger";
import { BILLING_PLANS } from "../../clerk/billing-plans";

// The API's two rate limits, both per minute:
// - `api`: requests per credential (an API key, by a hash of its secret, counted before Clerk is
//   asked to verify it; a session, by its user in its organization). The organization's plan sets
//   the limit (clerk/billing-plans.json, `api_requests_per_minute`); a personal workspace, which
//   has no plan, gets PERSONAL_API_RATE_LIMIT; API_RATE_LIMIT, when set, is every credential's
//   limit instead (load tests, benchmarks, an app without Clerk Billing). An API key's plan is
//   known only once Clerk has said whose key it is: its count is taken before, against the
//   highest limit any caller has, and held to its plan's after; a key found over its plan's limit
//   is then blocked until the minute ends, so its next requests are refused before Clerk is asked.
// - `auth-failures`: credentials that failed verification, per client address,
//   AUTH_FAILURE_LIMIT. An address over it is refused before Clerk is asked, so made-up keys
//   cannot run up the Backend API bill (each verification is a billed call).
// In memory by default (one app instance); with REDIS_URL in Redis, shared by every instance. If
// Redis stops answering, each instance falls back to its own memory until it is back.

const WINDOW_SECONDS = 60;

// Requests per minute per credential in a personal workspace (no plan applies there).
export const PERSONAL_API_RATE_LIMIT = 600;

export type LimitName = "api" | "auth-failures";

export type LimitState = {
  name: LimitName;
  // Null while the credential's limit is not known yet (an API key before Clerk verified it).
  limit: number | null;
  consumed: number;
  remaining: number;
  resetSeconds: number;
  allowed: boolean;
};

// The `api` limiter counts up to the highest limit any credential can have.
function apiCeiling(): number {
  const fixed = serverEnv().API_RATE_LIMIT;
  if (fixed !== undefined) return fixed;
  const plans = BILLING_PLANS.organization_plans.map((p) => p.limits.api_requests_per_minute);
  return Math.max(PERSONAL_API_RATE_LIMIT, ...plans);
}

// A credential's limit: API_RATE_LIMIT when set; else its organization plan's (`planLimit`), or
// the personal workspace's (`planLimit` null).
export function apiLimitFor(planLimit: number | null): number {
  return serverEnv().API_RATE_LIMIT ?? planLimit ?? PERSONAL_API_RATE_LIMIT;
}

// Whether the plans decide the limit at all (they do unless API_RATE_LIMIT is set).
export function planRateLimitsApply(): boolean {
  return serverEnv().API_RATE_LIMIT === undefined;
}

type Limiters = Record<LimitName, RateLimiterAbstract> & { ready: Promise<void> };

function redisClient(url: string): Redis {
  const client = new Redis(url, {
    // Fail a command at once when the connection is down (the memory fallback answers) rather
    // than queueing it behind a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  });
  let down = false;
  client.on("error", (err) => {
    if (down) return;
    down = true;
    logger.warn({ reason: err.message }, "rate limits: Redis unavailable, counting in memory");
  });
  client.on("ready", () => {
    if (down) logger.info("rate limits: Redis is back");
    down = false;
  });
  return client;
}

function createLimiters(): Limiters {
  const env = serverEnv();
  const points = { api: apiCeiling(), "auth-failures": env.AUTH_FAILURE_LIMIT };
  const memory = (name: LimitName) =>
    new RateLimiterMemory({ keyPrefix: name, points: points[name], duration: WINDOW_SECONDS });
  if (!env.REDIS_URL) {
    return {
      api: memory("api"),
      "auth-failures": memory("auth-failures"),
      ready: Promise.resolve(),
    };
  }
  const storeClient = redisClient(env.REDIS_URL);
  // Until Redis is connected the memory fallback counts; start-up waits a moment for it.
  const ready = new Promise<void>((resolve) => {
    storeClient.once("ready", () => resolve());
    setTimeout(resolve, 2_000).unref();
  });
  const redis = (name: LimitName) =>
    new RateLimiterRedis({
      storeClient,
      keyPrefix: `acme-projects:${name}`,
      points: points[name],
      duration: WINDOW_SECONDS,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory(name),
    });
  return { api: redis("api"), "auth-failures": redis("auth-failures"), ready };
}

// One set per server process; kept on globalThis so dev-mode hot reloads reuse it.
const holder = globalThis as typeof globalThis & { __rateLimiters?: Limiters };

function limiters(): Limiters {
  holder.__rateLimiters ??= createLimiters();
  return holder.__rateLimiters;
}

// Called once as the server starts (src/instrumentation.ts): connects to Redis before the first
// request rather than counting it in memory.
export async function prepareRateLimits(): Promise<void> {
  await limiters().ready;
}

function stateOf(
  name: LimitName,
  res: RateLimiterRes | null,
  allowed: boolean,
  limit: number | null = limiters()[name].points,
): LimitState {
  const consumed = res?.consumedPoints ?? 0;
  return {
    name,
    limit,
    consumed,
    remaining: limit === null ? 0 : Math.max(0, limit - consumed),
    resetSeconds: Math.max(1, Math.ceil((res?.msBeforeNext ?? WINDOW_SECONDS * 1000) / 1000)),
    allowed,
  };
}

// A refusal is a RateLimiterRes; checked by shape, because the limiters may have been made by
// another bundle's copy of the library (src/instrumentation.ts creates them).
function isRefusal(value: unknown): value is RateLimiterRes {
  return typeof value === "object" && value !== null && "msBeforeNext" in value;
}

async function consume(name: LimitName, key: string): Promise<LimitState> {
  try {
    return stateOf(name, await limiters()[name].consume(key), true);
  } catch (rejection) {
    if (isRefusal(rejection)) return stateOf(name, rejection, false);
    // Neither Redis nor its memory fallback answered: let the request through rather than
    // refuse everyone, and say so.
    logger.error({ limit: name, reason: String(rejection) }, "rate limit could not be checked");
    return stateOf(name, null, true);
  }
}

// A credential's key: never the secret itself, so limit counters (also in a shared Redis) hold
// nothing that could authenticate.
export function credentialKey(bearer: string): string {
  return `key:${createHash("sha256").update(bearer).digest("hex").slice(0, 32)}`;
}

// Counts one request of a credential. `limit`: the credential's limit (apiLimitFor), or null when
// it is not known yet (an API key before verification): then only the ceiling applies.
export async function consumeApiRequest(key: string, limit: number | null): Promise<LimitState> {
  const counted = await consume("api", key);
  const known = limit ?? (planRateLimitsApply() ? null : counted.limit);
  if (known === null) return { ...counted, limit: null, remaining: 0 };
  return holdTo(counted, known);
}

function holdTo(counted: LimitState, limit: number): LimitState {
  const allowed = counted.allowed && counted.consumed <= limit;
  return { ...counted, limit, remaining: Math.max(0, limit - counted.consumed), allowed };
}

// After Clerk verified an API key: its count (taken before) held to its plan's limit. Over it,
// the key is blocked for the rest of the window, so that its next requests are refused before
// Clerk is asked again.
export async function holdApiRequestTo(
  key: string,
  counted: LimitState,
  limit: number,
): Promise<LimitState> {
  const held = holdTo(counted, limit);
  if (!held.allowed && counted.allowed) {
    await limiters()
      .api.block(key, held.resetSeconds)
      .catch((err: unknown) => logger.error({ reason: String(err) }, "rate limit: block failed"));
  }
  return held;
}

// Whether an address may still try a credential, without counting this attempt.
export async function authFailuresAllowed(address: string): Promise<LimitState> {
  try {
    const res = await limiters()["auth-failures"].get(address);
    const limit = limiters()["auth-failures"].points;
    const state = stateOf("auth-failures", res, true, limit);
    return { ...state, allowed: state.consumed < limit };
  } catch (err) {
    logger.error({ reason: String(err) }, "auth-failure limit could not be checked");
    return stateOf("auth-failures", null, true);
  }
}

export function recordAuthFailure(address: string): Promise<LimitState> {
  return consume("auth-failures", address);
}

// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the policy and what is
// left of it, on every answer the limit applies to.
// (A key refused before verification has no known limit: no policy then, only what is left.)
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  const headers: Record<string, string> = {
    ...(state.limit !== null && {
      "ratelimit-policy": `"${state.name}";q=${state.limit};w=${WINDOW_SECONDS}`,
    }),
    ratelimit: `"${state.name}";r=${state.remaining};t=${state.resetSeconds}`,
  };
  if (!state.allowed) headers["retry-after"] = String(state.resetSeconds);
  return headers;
}
