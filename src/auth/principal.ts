import { auth } from "@clerk/nextjs/server";
import { headers } from "next/headers";
import { verifyMachineToken } from "@/auth/credential-cache";
import { CREDENTIAL_HEADER, openCredential } from "@/auth/credential-handoff";
import { bearerOf } from "@/auth/gates/credentials";
import {
  type MachineIdentity,
  type MachineVerification,
  machineTokenType,
} from "@/auth/machine-tokens";
import { type VerifiedSession, verifySessionToken } from "@/auth/session-tokens";
import { type Problem, problem } from "@/http/problem";

// Who is calling the API, as one shape for both kinds of credential. The tenant is the active
// organization, or the user's personal workspace (their user id) when none is active.
export type Principal =
  | {
      tokenType: "session_token";
      userId: string;
      orgId: string | null;
      orgSlug: string | null;
      orgRole: string | null;
      permissions: string[];
      tenantId: string;
    }
  | {
      tokenType: "api_key";
      keyId: string;
      keyName: string;
      userId: string | null;
      orgId: string | null;
      scopes: string[];
      tenantId: string;
    };

export type PrincipalResult = { ok: true; principal: Principal } | { ok: false; problem: Problem };

// A bearer token, verified: a session token by its signature (src/auth/session-tokens.ts), a
// machine token by Clerk, through the cache (src/auth/credential-cache.ts).
export type VerifiedCredential = VerifiedSession | MachineIdentity;

export type BearerVerification =
  | { status: "valid"; credential: VerifiedCredential }
  | { status: "invalid"; detail: string }
  | { status: "unavailable"; reason: string };

const INVALID_KEY = "The API key is not valid: unknown, revoked or expired.";

export async function verifyBearer(token: string): Promise<BearerVerification> {
  if (machineTokenType(token) === null) {
    const verified = await verifySessionToken(token);
    return verified.status === "valid"
      ? { status: "valid", credential: verified.session }
      : verified;
  }
  return fromMachine(await verifyMachineToken(token));
}

export function fromMachine(verified: MachineVerification): BearerVerification {
  if (verified.status === "valid") return { status: "valid", credential: verified.identity };
  if (verified.status === "invalid") return { status: "invalid", detail: INVALID_KEY };
  return verified;
}

function principalOf(credential: VerifiedCredential): PrincipalResult {
  if (credential.tokenType === "session_token") {
    return {
      ok: true,
      principal: { ...credential, tenantId: credential.orgId ?? credential.userId },
    };
  }
  const { subject } = credential;
  const userId = subject.startsWith("user_") ? subject : null;
  const orgId = subject.startsWith("org_") ? subject : null;
  const tenantId = orgId ?? userId;
  if (!tenantId) {
    return {
      ok: false,
      problem: problem("forbidden", "This API key belongs to no user or organization."),
    };
  }
  return {
    ok: true,
    principal: {
      tokenType: "api_key",
      keyId: credential.id,
      keyName: credential.name ?? "",
      userId,
      orgId,
      scopes: credential.scopes,
      tenantId,
    },
  };
}

// The caller of the current API request. A bearer token is what the proxy verified and signed for
// this handler (src/auth/credential-handoff.ts), else verified here (the proxy is not the only
// gate); a browser's session cookie is Clerk's middleware's to read, through `auth()`.
export async function currentPrincipal(): Promise<PrincipalResult> {
  const request = await headers();
  const bearer = bearerOf(request);
  if (bearer) {
    const handed = openCredential(request.get(CREDENTIAL_HEADER), bearer);
    if (handed) return principalOf(handed);
    const verified = await verifyBearer(bearer);
    if (verified.status === "valid") return principalOf(verified.credential);
    if (verified.status === "unavailable") {
      return {
        ok: false,
        problem: problem(
          "service-unavailable",
          "Credentials cannot be checked right now. Try again shortly.",
        ),
      };
    }
    return { ok: false, problem: problem("unauthenticated", verified.detail) };
  }
  const a = await auth();
  if (!a.isAuthenticated) {
    return {
      ok: false,
      problem: problem("unauthenticated", "A valid session token or API key is required."),
    };
  }
  return principalOf({
    tokenType: "session_token",
    userId: a.userId,
    orgId: a.orgId ?? null,
    orgSlug: a.orgSlug ?? null,
    orgRole: a.orgRole ?? null,
    permissions: a.orgPermissions ?? [],
  });
}
