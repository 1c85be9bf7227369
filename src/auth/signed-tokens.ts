import { clerkClient } from "@clerk/nextjs/server";
import type { TokenType } from "@/auth/route-table";
import { keyIdOf, signingKeyFor } from "@/auth/signing-keys";
import { serverEnv } from "@/env/server-env";

// Bearer JWTs (session tokens, JWT-format M2M and OAuth tokens), verified by Clerk's own
// `authenticateRequest` with the signing key the app holds (src/auth/signing-keys.ts: nothing is
// fetched per token), and remembered until they expire. A token is the same proof for its whole
// life (a minute, for Clerk's session tokens), so its every request after the first costs a lookup.

export type VerifiedJwt =
  | {
      tokenType: "session_token";
      userId: string;
      orgId: string | null;
      orgSlug: string | null;
      orgRole: string | null;
      permissions: string[];
      // Clerk Billing's claims: the plan (`pla`) and the features (`fea`, after the permissions').
      features: string | null;
      plans: string | null;
      // `fva`: minutes since the session verified each factor (reverification).
      factorVerificationAge: [number, number] | null;
      // `act.sub`: who is impersonating the user, if anyone.
      impersonatorId: string | null;
    }
  | { tokenType: "m2m_token" | "oauth_token"; id: string; subject: string; scopes: string[] };

export type JwtVerification =
  | { status: "valid"; credential: VerifiedJwt }
  | { status: "invalid"; detail: string }
  // No signing key was ever fetched and Clerk does not answer.
  | { status: "unavailable"; reason: string };

// A session token's Clerk Billing claims, kept as Clerk writes them for `has()` to read.
export function billingClaimsOf(claims: Record<string, unknown> | null | undefined) {
  const text = (value: unknown) => (typeof value === "string" && value ? value : null);
  return { features: text(claims?.fea), plans: text(claims?.pla) };
}

// Tokens live a minute and each client holds one at a time: this many is a busy instance.
const REMEMBERED = 5_000;

type Memo = Map<string, { credential: VerifiedJwt; until: number }>;

const holder = globalThis as typeof globalThis & { __verifiedJwts?: Memo };

function memo(): Memo {
  holder.__verifiedJwts ??= new Map();
  return holder.__verifiedJwts;
}

function remember(token: string, credential: VerifiedJwt, until: number) {
  const verified = memo();
  if (verified.size >= REMEMBERED) {
    for (const [t, entry] of verified) if (entry.until <= Date.now()) verified.delete(t);
    if (verified.size >= REMEMBERED) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
  }
  verified.set(token, { credential, until });
}

async function jwtKeyFor(token: string): Promise<JwtVerification | string> {
  const configured = serverEnv().CLERK_JWT_KEY;
  if (configured) return configured;
  const kid = keyIdOf(token);
  if (!kid) return { status: "invalid", detail: "The bearer token is not a token Clerk issued." };
  const key = await signingKeyFor(kid);
  if (key.status === "unknown") {
    return { status: "invalid", detail: "The token is not signed by Clerk." };
  }
  if (key.status === "unavailable") {
    return { status: "unavailable", reason: "Clerk's signing keys could not be fetched" };
  }
  return key.pem;
}

// When the (verified) token expires, in ms since the epoch.
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
  return typeof payload.exp === "number" ? payload.exp * 1000 : 0;
}

// `token`, a JWT Clerk would take for `type`.
export async function verifySignedToken(
  type: Extract<TokenType, VerifiedJwt["tokenType"]>,
  token: string,
): Promise<JwtVerification> {
  const known = memo().get(token);
  if (known && known.until > Date.now() && known.credential.tokenType === type) {
    return { status: "valid", credential: known.credential };
  }
  const jwtKey = await jwtKeyFor(token);
  if (typeof jwtKey !== "string") return jwtKey;
  const state = await (await clerkClient()).authenticateRequest(
    new Request("http://localhost/", { headers: { authorization: `Bearer ${token}` } }),
    { acceptsToken: type, jwtKey, authorizedParties: serverEnv().CLERK_AUTHORIZED_PARTIES },
  );
  const auth = state.toAuth();
  if (!auth?.isAuthenticated || auth.tokenType !== type) {
    return { status: "invalid", detail: "The token is not valid." };
  }
  let credential: VerifiedJwt;
  if (auth.tokenType === "session_token") {
    credential = {
      tokenType: "session_token",
      userId: auth.userId,
      orgId: auth.orgId ?? null,
      orgSlug: auth.orgSlug ?? null,
      orgRole: auth.orgRole ?? null,
      permissions: auth.orgPermissions ?? [],
      ...billingClaimsOf(auth.sessionClaims),
      factorVerificationAge: auth.factorVerificationAge,
      impersonatorId: auth.actor?.sub ?? null,
    };
  } else if (auth.tokenType === "m2m_token") {
    credential = {
      tokenType: "m2m_token",
      id: auth.id,
      subject: auth.machineId,
      scopes: auth.scopes,
    };
  } else if (auth.tokenType === "oauth_token") {
    credential = {
      tokenType: "oauth_token",
      id: auth.id,
      subject: auth.userId,
      scopes: auth.scopes,
    };
  } else {
    return { status: "invalid", detail: "The token is not valid." };
  }
  remember(token, credential, expiryOf(token));
  return { status: "valid", credential };
}
