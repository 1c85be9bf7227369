import { createHash } from "node:crypto";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import { serverEnv } from "@/env/server-env";
import { withDeadline } from "@/http/deadline";
import { logger } from "@/observability/logger";
import { REDIS_COMMAND_TIMEOUT_MS, type RedisStore, sharedRedisStore } from "./redis-store";

// The API's two rate limits, both per minute:
// - `api`: requests per credential (an API key, by a hash of its secret, counted before Clerk is
//   asked to verify it; a session, by its user), API_RATE_LIMIT;
// - `auth-failures`: credentials that failed verification, per client address,
//   AUTH_FAILURE_LIMIT. An address over it is refused before Clerk is asked, so made-up keys
//   cannot run up the Backend API bill (each verification is a billed call). A credential that
//   only Clerk can verify takes its point before Clerk is asked (reserveAuthAttempt) and gives it
//   back once Clerk has found it valid (releaseAuthAttempt): however many arrive at once, at most
//   AUTH_FAILURE_LIMIT of them are being verified or have failed in a window.
// In memory by default (one app instance); with REDIS_URL in Redis, shared by every instance. If
// Redis stops answering (down, or too slow: src/rate-limit/redis-store.ts), each instance counts
// in its own memory until it is back.

const WINDOW_SECONDS = 60;

export type LimitName = "api" | "auth-failures";

export type LimitState = {
  name: LimitName;
  limit: number;
  remaining: number;
  resetSeconds: number;
  allowed: boolean;
};

type Limit = { memory: RateLimiterAbstract; redis: RateLimiterAbstract | null };

type Limiters = Record<LimitName, Limit> & { store: RedisStore | null };

function createLimiters(): Limiters {
  const env = serverEnv();
  const points = { api: env.API_RATE_LIMIT, "auth-failures": env.AUTH_FAILURE_LIMIT };
  const memory = (name: LimitName) =>
    new RateLimiterMemory({ keyPrefix: name, points: points[name], duration: WINDOW_SECONDS });
  const store = sharedRedisStore();
  const limit = (name: LimitName): Limit => ({
    memory: memory(name),
    redis:
      store &&
      new RateLimiterRedis({
        storeClient: store.client,
        keyPrefix: `acme-projects:${name}`,
        points: points[name],
        duration: WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
      }),
  });
  return { api: limit("api"), "auth-failures": limit("auth-failures"), store };
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
  await limiters().store?.ready;
}

// A refusal is a RateLimiterRes; checked by shape, because the limiters may have been made by
// another bundle's copy of the library (src/instrumentation.ts creates them).
function isRefusal(value: unknown): value is RateLimiterRes {
  return typeof value === "object" && value !== null && "msBeforeNext" in value;
}

type Outcome<T> = { limiter: RateLimiterAbstract } & (
  | { ok: true; value: T }
  | { ok: false; refusal: RateLimiterRes }
);

// Runs `op` on Redis while it answers within its bound, else (and when it fails) on this
// instance's memory, and says which store answered. A limit's refusal is an outcome, not a
// failure.
async function onStore<T>(
  name: LimitName,
  op: (limiter: RateLimiterAbstract) => Promise<T>,
): Promise<Outcome<T>> {
  const { store } = limiters();
  const { memory, redis } = limiters()[name];
  const attempt = async (limiter: RateLimiterAbstract, bound: boolean): Promise<Outcome<T>> => {
    try {
      const work = op(limiter);
      const value = await (bound ? withDeadline(work, REDIS_COMMAND_TIMEOUT_MS, "Redis") : work);
      return { limiter, ok: true, value };
    } catch (err) {
      if (isRefusal(err)) return { limiter, ok: false, refusal: err };
      throw err;
    }
  };
  if (redis && store?.usable()) {
    try {
      return await attempt(redis, true);
    } catch (err) {
      store.failed(err);
    }
  }
  return attempt(memory, false);
}

function stateOf(name: LimitName, res: RateLimiterRes | null, allowed: boolean): LimitState {
  const limit = limiters()[name].memory.points;
  return {
    name,
    limit,
    remaining: Math.max(0, res ? res.remainingPoints : limit),
    resetSeconds: Math.max(1, Math.ceil((res?.msBeforeNext ?? WINDOW_SECONDS * 1000) / 1000)),
    allowed,
  };
}

// Counts one point against `key`; `giveBack` returns it to the store that took it.
async function consume(
  name: LimitName,
  key: string,
): Promise<{ state: LimitState; giveBack: () => Promise<void> }> {
  try {
    const outcome = await onStore(name, (l) => l.consume(key));
    const giveBack = async () => {
      // The store that counted it, even if another answers now: a point given back elsewhere
      // would be one more than was ever taken there.
      await outcome.limiter.reward(key).catch((err: unknown) => {
        logger.warn({ limit: name, reason: String(err) }, "rate limit point not given back");
      });
    };
    return outcome.ok
      ? { state: stateOf(name, outcome.value, true), giveBack }
      : { state: stateOf(name, outcome.refusal, false), giveBack };
  } catch (err) {
    // Neither Redis nor memory answered: let the request through rather than refuse everyone,
    // and say so.
    logger.error({ limit: name, reason: String(err) }, "rate limit could not be checked");
    return { state: stateOf(name, null, true), giveBack: async () => {} };
  }
}

// A credential's key: never the secret itself, so limit counters (also in a shared Redis) hold
// nothing that could authenticate.
export function credentialKey(bearer: string): string {
  return `key:${createHash("sha256").update(bearer).digest("hex").slice(0, 32)}`;
}

export async function consumeApiRequest(key: string): Promise<LimitState> {
  return (await consume("api", key)).state;
}

// Whether an address may still try a credential, without counting this attempt.
export async function authFailuresAllowed(address: string): Promise<LimitState> {
  try {
    const outcome = await onStore("auth-failures", (l) => l.get(address));
    const res = outcome.ok ? outcome.value : null;
    const state = stateOf("auth-failures", res, true);
    return { ...state, allowed: (res?.consumedPoints ?? 0) < state.limit };
  } catch (err) {
    logger.error({ reason: String(err) }, "auth-failure limit could not be checked");
    return stateOf("auth-failures", null, true);
  }
}

export async function recordAuthFailure(address: string): Promise<LimitState> {
  return (await consume("auth-failures", address)).state;
}

export type AuthAttempt = {
  state: LimitState;
  // Gives the point back: Clerk found the credential valid, or was never asked.
  release: () => Promise<void>;
};

// Takes an address's failure point for a credential about to be verified by Clerk: refused (429)
// when the address has none left, counting the verifications still in flight. A refused attempt
// gives its point straight back: refusals cost Clerk nothing and must not lock the address out
// for longer than its failures do.
export async function reserveAuthAttempt(address: string): Promise<AuthAttempt> {
  const { state, giveBack } = await consume("auth-failures", address);
  if (!state.allowed) await giveBack();
  return { state, release: giveBack };
}

// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the policy and what is
// left of it, on every answer the limit applies to.
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${state.name}";q=${state.limit};w=${WINDOW_SECONDS}`,
    ratelimit: `"${state.name}";r=${state.remaining};t=${state.resetSeconds}`,
  };
  if (!state.allowed) headers["retry-after"] = String(state.resetSeconds);
  return headers;
}
