import type { NextRequest } from "next/server";
import type { TokenType } from "@/auth/route-table";
import { keyIdOf, signingKeyFor } from "@/auth/signing-keys";
import { serverEnv } from "@/env/server-env";

// The credentials a request carries, read without verifying anything: what the gates need to know
// before Clerk is asked (which type of token, which signing key).

// Opaque machine tokens, by prefix as Clerk's SDK tells them apart (@clerk/backend
// tokens/machine.ts): each is verified by a Backend API call, which Clerk bills.
const OPAQUE_PREFIXES: Record<string, TokenType> = {
  ak_: "api_key",
  mt_: "m2m_token",
  oat_: "oauth_token",
};

// The bearer token of a request (or of the current request's headers, in a handler).
export function bearerOf(req: { headers: Headers }): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

export function isOpaqueMachineToken(token: string): boolean {
  return Object.keys(OPAQUE_PREFIXES).some((prefix) => token.startsWith(prefix));
}

function jwtPart(token: string, index: 0 | 1): Record<string, unknown> | null {
  const part = token.split(".")[index];
  if (!part) return null;
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

// The type Clerk would take a bearer token for: an opaque machine token by its prefix; a JWT whose
// `sub` is a machine is an M2M token, one typed `at+jwt` an OAuth access token (RFC 9068); any
// other token is a session token (which verification may then refuse).
export function tokenTypeOf(token: string): TokenType {
  for (const [prefix, type] of Object.entries(OPAQUE_PREFIXES)) {
    if (token.startsWith(prefix)) return type;
  }
  if (token.split(".").length === 3) {
    const sub = jwtPart(token, 1)?.sub;
    if (typeof sub === "string" && sub.startsWith("mch_")) return "m2m_token";
    const typ = jwtPart(token, 0)?.typ;
    if (typ === "at+jwt" || typ === "application/at+jwt") return "oauth_token";
  }
  return "session_token";
}

// The type of credential a request presents: its bearer token's, or a session's when it carries
// only session cookies; null when it carries none.
export function presentedTokenType(req: NextRequest, bearer: string | null): TokenType | null {
  if (bearer) return tokenTypeOf(bearer);
  return req.cookies.getAll().some((c) => isSessionCookie(c.name) && c.value)
    ? "session_token"
    : null;
}

// The JWTs Clerk would verify with the instance's signing key for this request: a bearer JWT
// (session or machine), or the session cookies (`__session`, or suffixed per instance) and a
// handshake token.
export function signedTokens(req: NextRequest, bearer: string | null): string[] {
  if (bearer) return isOpaqueMachineToken(bearer) ? [] : [bearer];
  const cookies = req.cookies
    .getAll()
    .filter((c) => isSessionCookie(c.name))
    .map((c) => c.value);
  const handshake = req.nextUrl.searchParams.get("__clerk_handshake");
  return [...cookies, ...(handshake ? [handshake] : [])].filter(Boolean);
}

export function isSessionCookie(name: string): boolean {
  return name === "__session" || name.startsWith("__session_");
}

export type KeyCheck =
  | { status: "ok"; jwtKey?: string }
  | { status: "unknown" }
  | { status: "unavailable" };

// Whether the tokens are signed by a key Clerk has (src/auth/signing-keys.ts), and that key.
export async function checkSigningKeys(tokens: string[]): Promise<KeyCheck> {
  if (serverEnv().CLERK_JWT_KEY || tokens.length === 0) return { status: "ok" };
  const pems = new Set<string>();
  for (const token of tokens) {
    const kid = keyIdOf(token);
    // Not a JWT: Clerk rejects it without fetching anything.
    if (!kid) continue;
    const key = await signingKeyFor(kid);
    if (key.status !== "known") return { status: key.status };
    pems.add(key.pem);
  }
  // One key, as Clerk instances have: verify with it. Two (a rotation): let Clerk pick.
  return { status: "ok", jwtKey: pems.size === 1 ? [...pems][0] : undefined };
}
