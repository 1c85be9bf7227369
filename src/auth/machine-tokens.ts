import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import type { TokenType } from "@/auth/route-table";
import { serverEnv } from "@/env/server-env";
import { DeadlineExceeded } from "@/http/deadline";
import { ServiceUnavailable } from "@/http/unavailable";

// The opaque machine tokens (API keys, `mt_` M2M tokens, `oat_` OAuth access tokens): only Clerk
// can say whether one is valid, with a Backend API call each, which Clerk bills and rate-limits.
// How each type is verified, and what the app keeps of Clerk's answer: who the token is, never
// the token. src/auth/credential-cache.ts keeps these answers for a while; a type added here is
// cached like the others.

export type OpaqueTokenType = Extract<TokenType, "api_key" | "m2m_token" | "oauth_token">;

// What Clerk's verification said about a valid token.
export type MachineIdentity = {
  tokenType: OpaqueTokenType;
  // The token's id at Clerk (an API key's `ak_…` id, not its secret).
  id: string;
  // Whom it acts for: a user or organization (API key), a machine (M2M), a user (OAuth).
  subject: string;
  name: string | null;
  scopes: string[];
  // The OAuth application an access token was issued to.
  clientId: string | null;
  // When Clerk stops accepting it (ms since the epoch), or null for never.
  expiresAt: number | null;
};

export type MachineVerification =
  | { status: "valid"; identity: MachineIdentity }
  // Clerk does not know it, or it is revoked or expired.
  | { status: "invalid" }
  // Clerk could not say: unreachable, a 5xx, its rate limit, the app's secret key refused; or it
  // did not answer in time (`late`), and may have verified it (and billed it) all the same.
  | { status: "unavailable"; reason: string; late?: boolean };

type Clerk = Parameters<Parameters<typeof clerkBackendApi>[0]>[0];

const VERIFY: Record<OpaqueTokenType, (clerk: Clerk, token: string) => Promise<MachineIdentity>> = {
  api_key: async (clerk, secret) => {
    const key = await clerk.apiKeys.verify(secret);
    return {
      tokenType: "api_key",
      id: key.id,
      subject: key.subject,
      name: key.name,
      scopes: key.scopes,
      clientId: null,
      expiresAt: key.expiration,
    };
  },
  // With the app's own machine secret key: Clerk refuses a token that names no scope to this
  // app's machine (src/auth/app-machine.ts).
  m2m_token: async (clerk, token) => {
    const verified = await clerk.m2m.verify({
      token,
      machineSecretKey: serverEnv().CLERK_MACHINE_SECRET_KEY,
    });
    return {
      tokenType: "m2m_token",
      id: verified.id,
      subject: verified.subject,
      name: null,
      scopes: verified.scopes,
      clientId: null,
      expiresAt: verified.expiration,
    };
  },
  oauth_token: async (clerk, token) => {
    const verified = await clerk.idPOAuthAccessToken.verify(token);
    return {
      tokenType: "oauth_token",
      id: verified.id,
      subject: verified.subject,
      name: null,
      scopes: verified.scopes,
      clientId: verified.clientId,
      expiresAt: verified.expiration,
    };
  },
};

// Clerk's answer about an opaque token of `type`, through the app's one bounded way to the Backend
// API (src/auth/clerk-backend-api.ts). 404 is Clerk's answer for a token it does not accept (as
// @clerk/backend reads it); anything else that refuses the question means Clerk could not answer
// it (the app's secret key refused, say).
export async function verifyWithClerk(
  type: OpaqueTokenType,
  token: string,
): Promise<MachineVerification> {
  try {
    return { status: "valid", identity: await clerkBackendApi((c) => VERIFY[type](c, token)) };
  } catch (err) {
    if (isClerkAPIResponseError(err) && err.status === 404) return { status: "invalid" };
    if (err instanceof ServiceUnavailable) {
      return {
        status: "unavailable",
        reason: err.message,
        late: err.cause instanceof DeadlineExceeded,
      };
    }
    const status = isClerkAPIResponseError(err) ? err.status : undefined;
    return { status: "unavailable", reason: `the Backend API answered ${status ?? String(err)}` };
  }
}
