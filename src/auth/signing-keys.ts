import { createPublicKey, type JsonWebKey } from "node:crypto";
import { clerkClient } from "@clerk/nextjs/server";
import { clerkAnswered, clerkUnavailable } from "@/auth/clerk-availability";
import { serverEnv } from "@/env/server-env";

// Clerk's session-token signing keys, kept by the app itself. @clerk/backend fetches Clerk's JWKS
// again whenever a token names a key id (`kid`) it has not seen, so a flood of tokens with
// made-up kids would cost one outbound request each. Here an unknown kid causes at most one fetch
// every few seconds, and tokens with kids Clerk does not have are refused without asking it. The
// keys found are handed to clerkMiddleware as `jwtKey` (src/proxy.ts), so it verifies tokens
// without fetching anything, and keeps verifying them while Clerk cannot be reached.

const REFETCH_INTERVAL_MS = 5_000;
// A key set this old is refreshed on the next request that needs it (Clerk rotates keys rarely).
const MAX_AGE_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 3_000;

export type SigningKey =
  | { status: "known"; pem: string }
  | { status: "unknown" }
  // Never fetched successfully, and Clerk does not answer now.
  | { status: "unavailable" };

type KeySet = {
  pems: Map<string, string>;
  fetchedAt: number;
  attemptedAt: number;
  refreshing: Promise<void> | null;
};

const holder = globalThis as typeof globalThis & { __signingKeys?: KeySet };

function keySet(): KeySet {
  holder.__signingKeys ??= { pems: new Map(), fetchedAt: 0, attemptedAt: 0, refreshing: null };
  return holder.__signingKeys;
}

async function fetchKeys(): Promise<Map<string, string>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), FETCH_TIMEOUT_MS);
  });
  try {
    const client = await clerkClient();
    const { keys } = await Promise.race([client.jwks.getJwks(), timeout]);
    const pems = new Map<string, string>();
    for (const jwk of keys ?? []) {
      if (!jwk.kid || jwk.kty !== "RSA") continue;
      const pem = createPublicKey({ key: { ...jwk } as JsonWebKey, format: "jwk" }).export({
        type: "spki",
        format: "pem",
      });
      pems.set(jwk.kid, pem.toString());
    }
    return pems;
  } finally {
    clearTimeout(timer);
  }
}

function refresh(set: KeySet): Promise<void> {
  set.refreshing ??= (async () => {
    set.attemptedAt = Date.now();
    try {
      const pems = await fetchKeys();
      if (pems.size > 0) {
        set.pems = pems;
        set.fetchedAt = Date.now();
      }
      clerkAnswered();
    } catch (err) {
      clerkUnavailable(`fetching the JWKS failed: ${(err as Error).message}`);
    } finally {
      set.refreshing = null;
    }
  })();
  return set.refreshing;
}

// At start: the keys, before the first request needs them (bounded by FETCH_TIMEOUT_MS; a Clerk
// that does not answer now is asked again by the first request that needs a key).
export async function prepareSigningKeys(): Promise<void> {
  if (serverEnv().CLERK_JWT_KEY) return;
  await refresh(keySet());
}

export async function signingKeyFor(kid: string): Promise<SigningKey> {
  const set = keySet();
  const due = Date.now() - set.attemptedAt >= REFETCH_INTERVAL_MS;
  const known = set.pems.get(kid);
  if (known) {
    // Refreshed in the background: a request never waits for a key it already has.
    if (due && Date.now() - set.fetchedAt > MAX_AGE_MS) void refresh(set);
    return { status: "known", pem: known };
  }
  if (due) await refresh(set);
  else if (set.refreshing) await set.refreshing;
  const pem = set.pems.get(kid);
  if (pem) return { status: "known", pem };
  return set.fetchedAt === 0 ? { status: "unavailable" } : { status: "unknown" };
}

// The `kid` in a JWT's header, without verifying anything; null for what is not a JWT.
export function keyIdOf(token: string): string | null {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return null;
  try {
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    return typeof kid === "string" && kid.length > 0 && kid.length <= 128 ? kid : null;
  } catch {
    return null;
  }
}
