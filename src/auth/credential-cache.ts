import { createHash } from "node:crypto";
import {
  type MachineVerification,
  type OpaqueTokenType,
  verifyWithClerk,
} from "@/auth/machine-tokens";
import { serverEnv } from "@/env/server-env";
import { withDeadline } from "@/http/deadline";
import { logger } from "@/observability/logger";
import {
  REDIS_COMMAND_TIMEOUT_MS,
  type RedisStore,
  sharedRedisStore,
} from "@/rate-limit/redis-store";

// Clerk's answers about machine tokens (src/auth/machine-tokens.ts), kept for
// API_KEY_CACHE_SECONDS so that a key used a hundred times a second costs Clerk one verification
// in that time, not a hundred: each one is a Backend API round trip (tens of milliseconds from
// most servers), billed, and counted against Clerk's rate limit.
// - Keyed by a SHA-256 of the secret: the store never holds anything that authenticates.
// - In this process's memory, or in Redis when REDIS_URL is set, shared by every instance.
// - A valid answer is kept until the token would expire, if sooner; an invalid one (unknown,
//   revoked, expired) for at most INVALID_SECONDS, so a client retrying a dead key does not make
//   Clerk verify it again each time.
// - Revoking a key through the app (src/api-keys/actions.ts) forgets its answer at once, for
//   every instance sharing the store, and for API_KEY_CACHE_SECONDS no answer about that key is
//   stored again (a verification that raced the revocation cannot put it back).
// - A revocation made elsewhere (Clerk's Dashboard, another app) is seen when the answer expires:
//   at most API_KEY_CACHE_SECONDS late (README "Verified credentials").
// - If the store fails, Clerk is asked, and its answer is not kept.

const INVALID_SECONDS = 10;
const MEMORY_ENTRIES = 10_000;
const REDIS_PREFIX = "acme-projects:credentials";

type Answer = Exclude<MachineVerification, { status: "unavailable" }>;

type Store = {
  // Resolves once the store can answer, or after a moment without (start-up waits no longer).
  ready: Promise<void>;
  get: (hash: string) => Promise<Answer | null>;
  // Keeps `answer` for `ms`, unless it says valid about a token revoked within the last
  // API_KEY_CACHE_SECONDS.
  put: (hash: string, answer: Answer, ms: number) => Promise<void>;
  // Forgets the answer about token `id` and refuses to keep one for `ms`.
  revoke: (id: string, ms: number) => Promise<void>;
};

function memoryStore(): Store {
  const answers = new Map<string, { answer: Answer; until: number }>();
  const hashOfId = new Map<string, string>();
  const revoked = new Map<string, number>();
  const live = <T extends { until: number } | number>(v: T | undefined) =>
    v !== undefined && (typeof v === "number" ? v : v.until) > Date.now();
  return {
    ready: Promise.resolve(),
    get: async (hash) => {
      const entry = answers.get(hash);
      if (live(entry)) return (entry as { answer: Answer }).answer;
      answers.delete(hash);
      return null;
    },
    put: async (hash, answer, ms) => {
      if (answer.status === "valid") {
        if (live(revoked.get(answer.identity.id))) return;
        hashOfId.set(answer.identity.id, hash);
      }
      // Oldest first out: a flood of made-up keys cannot grow the process without bound.
      if (answers.size >= MEMORY_ENTRIES) {
        const oldest = answers.keys().next().value;
        if (oldest !== undefined) answers.delete(oldest);
      }
      answers.delete(hash);
      answers.set(hash, { answer, until: Date.now() + ms });
    },
    revoke: async (id, ms) => {
      revoked.set(id, Date.now() + ms);
      const hash = hashOfId.get(id);
      if (hash !== undefined) answers.delete(hash);
      hashOfId.delete(id);
      for (const [other, until] of revoked) if (until <= Date.now()) revoked.delete(other);
    },
  };
}

// The valid answer, its id's pointer to it (for a revocation to find it), both only if the id
// was not revoked meanwhile: one atomic step in Redis.
const PUT_VALID = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return 1`;

type CacheClient = RedisStore["client"] & {
  putValid?: (
    answer: string,
    id: string,
    revoked: string,
    value: string,
    ms: number,
    hash: string,
  ) => Promise<number>;
};

// On the connection the rate limits use (src/rate-limit/redis-store.ts): every command bounded,
// none sent while Redis is down or slow (the caller then asks Clerk instead).
function redisStore(store: RedisStore): Store {
  const client = store.client as CacheClient;
  if (!client.putValid) client.defineCommand("putValid", { numberOfKeys: 3, lua: PUT_VALID });
  const command = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!store.usable()) throw new Error("Redis is unavailable");
    try {
      return await withDeadline(work(), REDIS_COMMAND_TIMEOUT_MS, "Redis");
    } catch (err) {
      store.failed(err);
      throw err;
    }
  };
  const answerKey = (hash: string) => `${REDIS_PREFIX}:secret:${hash}`;
  const idKey = (id: string) => `${REDIS_PREFIX}:id:${id}`;
  const revokedKey = (id: string) => `${REDIS_PREFIX}:revoked:${id}`;
  return {
    ready: store.ready,
    get: async (hash) => {
      const value = await command(() => client.get(answerKey(hash)));
      return value === null ? null : (JSON.parse(value) as Answer);
    },
    put: async (hash, answer, ms) => {
      const value = JSON.stringify(answer);
      if (answer.status === "invalid") {
        await command(() => client.set(answerKey(hash), value, "PX", ms));
        return;
      }
      const { id } = answer.identity;
      await command(async () =>
        client.putValid?.(answerKey(hash), idKey(id), revokedKey(id), value, ms, hash),
      );
    },
    revoke: async (id, ms) => {
      // The mark first: from here on no answer about this id is stored, then the one stored
      // before (if any) is removed.
      await command(() => client.set(revokedKey(id), "1", "PX", ms));
      const hash = await command(() => client.get(idKey(id)));
      await command(() => client.del(...(hash ? [answerKey(hash)] : []), idKey(id)));
    },
  };
}

type Cache = { store: Store; inFlight: Map<string, Promise<MachineVerification>> };

// One per server process, shared by the proxy and the handlers (separate bundles, one
// globalThis).
const holder = globalThis as typeof globalThis & { __credentialCache?: Cache };

function cache(): Cache {
  if (!holder.__credentialCache) {
    const redis = sharedRedisStore();
    holder.__credentialCache = {
      store: redis ? redisStore(redis) : memoryStore(),
      inFlight: new Map(),
    };
  }
  return holder.__credentialCache;
}

// Called once as the server starts (src/instrumentation.ts): connects to Redis before the first
// request rather than asking Clerk for it.
export async function prepareCredentialCache(): Promise<void> {
  await cache().store.ready;
}

function secretHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

function keepFor(answer: Answer, cacheMs: number): number {
  if (answer.status === "invalid") return Math.min(cacheMs, INVALID_SECONDS * 1000);
  const { expiresAt } = answer.identity;
  return expiresAt === null ? cacheMs : Math.min(cacheMs, expiresAt - Date.now());
}

// A store that fails (logged by src/rate-limit/redis-store.ts, once per outage) is no answer.
async function orElse<T>(work: Promise<T>, fallback: T): Promise<T> {
  return work.catch(() => fallback);
}

// What the cache holds about `token` (a machine token), without asking Clerk: null if nothing.
export async function knownMachineToken(token: string): Promise<MachineVerification | null> {
  if (serverEnv().API_KEY_CACHE_SECONDS === 0) return null;
  return orElse(cache().store.get(secretHash(token)), null);
}

// What Clerk says about `token` (a machine token), kept for next time: one question at a time per
// token in this process, however many requests carry it.
export async function askClerkAbout(
  type: OpaqueTokenType,
  token: string,
): Promise<MachineVerification> {
  const cacheMs = serverEnv().API_KEY_CACHE_SECONDS * 1000;
  if (cacheMs === 0) return verifyWithClerk(type, token);
  const { store, inFlight } = cache();
  const hash = secretHash(token);
  let pending = inFlight.get(hash);
  if (!pending) {
    pending = (async () => {
      // Another request's question may have been answered since this one looked.
      const kept = await orElse(store.get(hash), null);
      if (kept) return kept;
      const answer = await verifyWithClerk(type, token);
      if (answer.status !== "unavailable") {
        const ms = keepFor(answer, cacheMs);
        if (ms > 0) await orElse(store.put(hash, answer, ms), undefined);
      }
      return answer;
    })().finally(() => inFlight.delete(hash));
    inFlight.set(hash, pending);
  }
  return pending;
}

// The token `id` was revoked: forget what Clerk said about it, on every instance that shares the
// store. Resolves false if the store could not be told (the answer then lives out its time).
export async function forgetMachineToken(id: string): Promise<boolean> {
  const cacheMs = serverEnv().API_KEY_CACHE_SECONDS * 1000;
  if (cacheMs === 0) return true;
  try {
    await cache().store.revoke(id, cacheMs);
    return true;
  } catch (err) {
    logger.error(
      { key_id: id, reason: String(err) },
      "credential cache: a revoked key could not be forgotten; it expires from the cache by itself",
    );
    return false;
  }
}
