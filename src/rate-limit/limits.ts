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
import { BILLING_PLANS } from "../../clerk/billing-plans";
import { REDIS_COMMAND_TIMEOUT_MS, type RedisStore, sharedRedisStore } from "./redis-store";

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
//   cannot run up the Backend API bill (each verification is a billed call). A credential that
//   only Clerk can verify takes its point before Clerk is asked (reserveAuthAttempt) and gives it
//   back once Clerk has found it valid (releaseAuthAttempt): however many arrive at once, at most
//   AUTH_FAILURE_LIMIT of them are being verified or have failed in a window.
// In memory by default (one app instance); with REDIS_URL in Redis, shared by every instance. If
// Redis stops answering (down, or too slow: src/rate-limit/redis-store.ts), each instance counts
// in its own memory until it is back.

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

type Limit = { memory: RateLimiterAbstract; redis: RateLimiterAbstract | null };

type Limiters = Record<LimitName, Limit> & { store: RedisStore | null };

function createLimiters(): Limiters {
  const env = serverEnv();
  const points = { api: apiCeiling(), "auth-failures": env.AUTH_FAILURE_LIMIT };
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

function stateOf(
  name: LimitName,
  res: RateLimiterRes | null,
  allowed: boolean,
  limit: number = limiters()[name].memory.points,
): LimitState {
  const consumed = res?.consumedPoints ?? 0;
  return {
    name,
    limit,
    consumed,
    remaining: Math.max(0, limit - consumed),
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

// Counts one request of a credential. `limit`: the credential's limit (apiLimitFor), or null when
// it is not known yet (an API key before verification): then only the ceiling applies.
export async function consumeApiRequest(key: string, limit: number | null): Promise<LimitState> {
  const { state: counted } = await consume("api", key);
  const known = limit ?? (planRateLimitsApply() ? null : counted.limit);
  if (known === null) return { ...counted, limit: null, remaining: 0 };
  return holdTo(counted, known);
}

function holdTo(counted: LimitState, limit: number): LimitState {
  const allowed = counted.allowed && counted.consumed <= limit;
  return { ...counted, limit, remaining: Math.max(0, limit - counted.consumed), allowed };
}

// After Clerk verified an API key: its count (taken before) held to its plan's limit. Over it,
// `recheck` may tell a higher one (the plan as Clerk has it now, when the stored one may be
// behind); still over, the key is blocked for the rest of the window, so that its next requests
// are refused before Clerk is asked again.
export async function holdApiRequestTo(
  key: string,
  counted: LimitState,
  limit: number,
  recheck?: () => Promise<number | null>,
): Promise<LimitState> {
  let held = holdTo(counted, limit);
  if (!held.allowed && counted.allowed && recheck) {
    const fresh = await recheck();
    if (fresh !== null && fresh > limit) held = holdTo(counted, fresh);
  }
  if (!held.allowed && counted.allowed) {
    await onStore("api", (l) => l.block(key, held.resetSeconds)).catch((err: unknown) =>
      logger.error({ reason: String(err) }, "rate limit: a key could not be blocked"),
    );
  }
  return held;
}

// Whether an address may still try a credential, without counting this attempt.
export async function authFailuresAllowed(address: string): Promise<LimitState> {
  try {
    const outcome = await onStore("auth-failures", (l) => l.get(address));
    const res = outcome.ok ? outcome.value : null;
    const limit = limiters()["auth-failures"].memory.points;
    const state = stateOf("auth-failures", res, true, limit);
    return { ...state, allowed: state.consumed < limit };
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
