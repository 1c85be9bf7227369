import { clerkClient } from "@clerk/nextjs/server";
import { keyIdOf, signingKeyFor } from "@/auth/signing-keys";
import { serverEnv } from "@/env/server-env";

// Session tokens sent as `Authorization: Bearer`, verified by Clerk's own `authenticateRequest`
// (networkless: with the signing key the app holds, src/auth/signing-keys.ts) and remembered until
// they expire. A token is the same proof for its whole life (a minute, as Clerk issues them), so
// its every request after the first costs a lookup instead of a verification; and the proxy and
// the handler, which both check it, verify it once.

export type VerifiedSession = {
  tokenType: "session_token";
  userId: string;
  orgId: string | null;
  orgSlug: string | null;
  orgRole: string | null;
  permissions: string[];
};

export type SessionVerification =
  | { status: "valid"; session: VerifiedSession }
  | { status: "invalid"; detail: string }
  // No signing key was ever fetched and Clerk does not answer.
  | { status: "unavailable"; reason: string };

// Tokens live a minute and each client holds one at a time: this many is a busy instance.
const REMEMBERED = 5_000;

type Memo = Map<string, { session: VerifiedSession; until: number }>;

const holder = globalThis as typeof globalThis & { __verifiedSessions?: Memo };

function memo(): Memo {
  holder.__verifiedSessions ??= new Map();
  return holder.__verifiedSessions;
}

function remember(token: string, session: VerifiedSession, until: number) {
  const sessions = memo();
  if (sessions.size >= REMEMBERED) {
    for (const [t, entry] of sessions) if (entry.until <= Date.now()) sessions.delete(t);
    if (sessions.size >= REMEMBERED) {
      const oldest = sessions.keys().next().value;
      if (oldest !== undefined) sessions.delete(oldest);
    }
  }
  sessions.set(token, { session, until });
}

async function jwtKeyFor(token: string): Promise<SessionVerification | string> {
  const configured = serverEnv().CLERK_JWT_KEY;
  if (configured) return configured;
  const kid = keyIdOf(token);
  if (!kid) return { status: "invalid", detail: "The bearer token is not a session token." };
  const key = await signingKeyFor(kid);
  if (key.status === "unknown") {
    return { status: "invalid", detail: "The session token is not signed by Clerk." };
  }
  if (key.status === "unavailable") {
    return { status: "unavailable", reason: "Clerk's signing keys could not be fetched" };
  }
  return key.pem;
}

export async function verifySessionToken(token: string): Promise<SessionVerification> {
  const known = memo().get(token);
  if (known && known.until > Date.now()) return { status: "valid", session: known.session };
  const jwtKey = await jwtKeyFor(token);
  if (typeof jwtKey !== "string") return jwtKey;
  const state = await (await clerkClient()).authenticateRequest(
    new Request("http://localhost/", { headers: { authorization: `Bearer ${token}` } }),
    {
      acceptsToken: "session_token",
      jwtKey,
      authorizedParties: serverEnv().CLERK_AUTHORIZED_PARTIES,
    },
  );
  const auth = state.toAuth();
  if (!auth?.isAuthenticated || auth.tokenType !== "session_token") {
    return { status: "invalid", detail: "The session token is not valid." };
  }
  const session: VerifiedSession = {
    tokenType: "session_token",
    userId: auth.userId,
    orgId: auth.orgId ?? null,
    orgSlug: auth.orgSlug ?? null,
    orgRole: auth.orgRole ?? null,
    permissions: auth.orgPermissions ?? [],
  };
  remember(token, session, auth.sessionClaims.exp * 1000);
  return { status: "valid", session };
}
