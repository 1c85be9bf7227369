import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { VerifiedCredential } from "@/auth/principal";
import { serverEnv } from "@/env/server-env";

// What the proxy verified about a request's bearer token, handed to the handler in a request
// header, so that the handler (which authenticates again: the proxy is not the only gate) does not
// verify it a second time, nor ask Clerk or Redis again. As Clerk's middleware does for its own
// handoff (`x-clerk-auth-signature`), the header is signed with a key derived from the secret
// key, and bound to the token and to a short lifetime: a request that reaches a handler without
// passing the proxy cannot forge one, and the handler then admits the token itself through the
// same gate (src/api/operation-bearer.ts).

export const CREDENTIAL_HEADER = "x-verified-credential";

// Long enough for any request to reach its handler; a header is never seen by clients.
const LIFETIME_MS = 60_000;

type Sealed = { credential: VerifiedCredential; token: string; until: number };

const holder = globalThis as typeof globalThis & { __handoffKey?: Buffer };

function signingKey(): Buffer {
  holder.__handoffKey ??= createHash("sha256")
    .update(`credential-handoff:${serverEnv().CLERK_SECRET_KEY}`)
    .digest();
  return holder.__handoffKey;
}

const tokenHash = (token: string) => createHash("sha256").update(token).digest("base64url");
const sign = (payload: string) =>
  createHmac("sha256", signingKey()).update(payload).digest("base64url");

export function sealCredential(token: string, credential: VerifiedCredential): string {
  const sealed: Sealed = { credential, token: tokenHash(token), until: Date.now() + LIFETIME_MS };
  const payload = Buffer.from(JSON.stringify(sealed)).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

// The credential the proxy sealed for this very token, or null (none, forged, stale, another
// token's).
export function openCredential(value: string | null, token: string): VerifiedCredential | null {
  const [payload, signature] = (value ?? "").split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const sealed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Sealed;
  if (sealed.until < Date.now() || sealed.token !== tokenHash(token)) return null;
  return sealed.credential;
}
