import type { NextRequest } from "next/server";
import { machineTokenType } from "@/auth/machine-tokens";
import { keyIdOf, signingKeyFor } from "@/auth/signing-keys";
import { serverEnv } from "@/env/server-env";

// The credentials a request carries, read without verifying anything: what the gates need to know
// before Clerk is asked (which kind of token, which signing key).

export function bearerOf(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

// The session JWTs Clerk would verify for this request: a bearer token, or the session cookies
// (`__session`, or suffixed per instance) and a handshake token.
export function sessionTokens(req: NextRequest, bearer: string | null): string[] {
  if (bearer) return machineTokenType(bearer) ? [] : [bearer];
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
