import Redis from "ioredis";
import { serverEnv } from "@/env/server-env";
import { logger } from "@/observability/logger";

// The Redis connection the instances share their rate limits and verified API keys through (one
// per server process), with every command bounded: a Redis that stops answering (frozen,
// overloaded, a network that drops packets) costs a request at most one command timeout, and then
// the limits count in memory and API keys are verified with Clerk, exactly as when Redis is down,
// until it answers again. Each outage is logged once when it starts and once when it ends.

// Redis answers in well under a millisecond; a command this late means Redis is in trouble. The
// limits bound each command by this (src/http/deadline.ts, which tells a late answer from a busy
// server); the client's own timeout is a backstop, and bounds the ready check after a reconnect.
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;
const CLIENT_COMMAND_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 2_000;

export type RedisStore = {
  client: Redis;
  // Whether a command may be sent now: connected and answering.
  usable: () => boolean;
  // A command failed (not a limit's refusal): count in memory until Redis is ready again.
  failed: (err: unknown) => void;
  // Resolves once connected, or after a moment without (start-up does not wait longer).
  ready: Promise<void>;
};

export function connectRedisStore(url: string): RedisStore {
  const client = new Redis(url, {
    // No queue: while Redis is not ready a command fails at once (the memory limits answer)
    // rather than waiting for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Counts sent before a reconnect are not sent twice.
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A Redis that accepts connections but never answers (a frozen process) stays "not ready".
    commandTimeout: CLIENT_COMMAND_TIMEOUT_MS,
  });
  let down: { since: number } | null = null;
  const outage = (reason: string) => {
    if (down) return;
    down = { since: Date.now() };
    logger.warn(
      { reason },
      "Redis unavailable, counting in memory (rate limits) and asking Clerk (API keys)",
    );
  };
  client.on("error", (err: Error) => outage(err.message));
  client.on("ready", () => {
    if (!down) return;
    logger.info({ duration_ms: Date.now() - down.since }, "Redis is back");
    down = null;
  });
  const ready = new Promise<void>((resolve) => {
    client.once("ready", () => resolve());
    setTimeout(resolve, CONNECT_TIMEOUT_MS).unref();
  });
  return {
    client,
    ready,
    usable: () => client.status === "ready" && !down,
    failed: (err) => {
      outage(err instanceof Error ? err.message : String(err));
      // A command that timed out leaves the connection open to a Redis that does not answer:
      // drop it, so that every request after this one counts in memory at once (a reconnect is
      // "ready" only once Redis answers again).
      if (client.status === "ready") client.disconnect(true);
    },
  };
}

// This process's connection (src/rate-limit/limits.ts, src/auth/credential-cache.ts), or null
// without REDIS_URL; kept on globalThis, where the proxy's and the handlers' bundles meet.
const holder = globalThis as typeof globalThis & { __redisStore?: RedisStore | null };

export function sharedRedisStore(): RedisStore | null {
  if (holder.__redisStore === undefined) {
    const url = serverEnv().REDIS_URL;
    holder.__redisStore = url ? connectRedisStore(url) : null;
  }
  return holder.__redisStore;
}
