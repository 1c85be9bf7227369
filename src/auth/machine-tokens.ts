import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { clerkClient } from "@clerk/nextjs/server";

// The machine tokens the API accepts (those only Clerk can verify: one Backend API call each,
// billed and rate-limited by Clerk), how each is recognised and verified, and what the app keeps
// of Clerk's answer: the identity, never the secret. src/auth/credential-cache.ts keeps these
// answers for a while; a token type added here is cached like the others.

export type MachineTokenType = "api_key";

// What Clerk's verification said about a valid token.
export type MachineIdentity = {
  tokenType: MachineTokenType;
  // The token's id at Clerk (`ak_…` for an API key's id, not its secret).
  id: string;
  // Whom it acts for: a user or organization id.
  subject: string;
  name: string | null;
  scopes: string[];
  // When Clerk stops accepting it (ms since the epoch), or null for never.
  expiresAt: number | null;
};

export type MachineVerification =
  | { status: "valid"; identity: MachineIdentity }
  // Clerk does not know it, or it is revoked or expired.
  | { status: "invalid" }
  // Clerk could not say: unreachable, a 5xx, a rate limit, or the app's secret key refused; or
  // it did not answer in time, and may have verified it (and billed it) all the same.
  | { status: "unavailable"; reason: string; late?: boolean };

type TokenKind = {
  tokenType: MachineTokenType;
  prefix: string;
  // Asks Clerk; throws what the Backend API client throws.
  verify: (token: string) => Promise<MachineIdentity>;
};

const KINDS: readonly TokenKind[] = [
  {
    tokenType: "api_key",
    prefix: "ak_",
    verify: async (secret) => {
      const key = await (await clerkClient()).apiKeys.verify(secret);
      return {
        tokenType: "api_key",
        id: key.id,
        subject: key.subject,
        name: key.name,
        scopes: key.scopes,
        expiresAt: key.expiration,
      };
    },
  },
];

export function machineTokenType(token: string): MachineTokenType | null {
  return KINDS.find((k) => token.startsWith(k.prefix))?.tokenType ?? null;
}

// Clerk's answer about `token`, which must be a machine token (machineTokenType is not null).
// 404 is Clerk's answer for a token it does not accept (as @clerk/backend reads it); anything
// else that is not an answer means Clerk could not be asked.
export async function verifyWithClerk(token: string): Promise<MachineVerification> {
  const kind = KINDS.find((k) => token.startsWith(k.prefix));
  if (!kind) throw new Error("verifyWithClerk: not a machine token");
  try {
    return { status: "valid", identity: await kind.verify(token) };
  } catch (err) {
    if (isClerkAPIResponseError(err) && err.status === 404) return { status: "invalid" };
    // A failed request is thrown as an API error too, without a status.
    const status = isClerkAPIResponseError(err) ? err.status : undefined;
    const reason = status
      ? `the Backend API answered ${status}`
      : `the Backend API could not be reached: ${err instanceof Error ? err.message : String(err)}`;
    return { status: "unavailable", reason };
  }
}
