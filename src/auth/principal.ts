import { auth } from "@clerk/nextjs/server";
import { tokenTypeOf } from "@/auth/gates/credentials";
import type { MachineIdentity, MachineVerification } from "@/auth/machine-tokens";
import { applicationName, grantOrganization, memberRole, revokeGrant } from "@/auth/oauth-grant";
import { describeTokenTypes, type TokenType } from "@/auth/route-table";
import { billingClaimsOf, type VerifiedJwt, verifySignedToken } from "@/auth/signed-tokens";
import { database } from "@/db/client";
import { type Problem, problem } from "@/http/problem";
import { ServiceUnavailable } from "@/http/unavailable";
import { recordConnectionUse } from "@/oauth-connections/connections";

// Who is calling, one kind of principal per token type. People and the keys they create act in a
// tenant: the active organization, or the user's personal workspace (their user id) when none is
// active. Third-party applications (OAuth access tokens) act for the user who consented, in the
// organization chosen then. Machines of this deployment act for no tenant. What each may do is
// decided in src/auth/authorize.ts.

// Clerk's reverification presets: a second factor (else the first, for users without one) within
// 10 minutes (`strict`), both within 10 minutes (`strict_mfa`), within an hour (`moderate`), a day
// (`lax`).
export type ReverificationPreset = "strict_mfa" | "strict" | "moderate" | "lax";

export type SessionPrincipal = {
  tokenType: "session_token";
  userId: string;
  orgId: string | null;
  orgSlug: string | null;
  orgRole: string | null;
  permissions: string[];
  // The token's Clerk Billing claims, as Clerk writes them (`fea`, `pla`), which `has({ feature })`
  // and `has({ plan })` read (src/auth/authorize.ts).
  features: string | null;
  plans: string | null;
  // Minutes since the session last verified the user's first and second factor (the token's
  // `fva`; -1: never), which Clerk's `has({ reverification })` reads before sensitive actions
  // (src/auth/authorize.ts). Null for a token without the claim.
  factorVerificationAge: [number, number] | null;
  // The Clerk user impersonating the user (the token's `act.sub`: an actor token's session), null
  // for the user's own session. What they do is recorded as the user's, impersonated by them.
  impersonatorId: string | null;
  tenantId: string;
};

export type ApiKeyPrincipal = {
  tokenType: "api_key";
  keyId: string;
  keyName: string;
  userId: string | null;
  orgId: string | null;
  scopes: string[];
  tenantId: string;
};

// A machine (Clerk's M2M authentication): its token names the machines it may be presented to.
export type MachinePrincipal = {
  tokenType: "m2m_token";
  machineId: string;
  tokenId: string;
  // Machine ids: the machines Clerk gave this one a scope to when the token was minted.
  scopes: string[];
};

// A third-party application acting for the user who consented (Clerk's OAuth access tokens),
// limited to the scopes granted, in the organization chosen at consent (`orgRole`: the user's
// role there as synced now; a user who left it has none, and the token acts nowhere) or, without
// one, in the user's personal workspace.
export type OAuthPrincipal = {
  tokenType: "oauth_token";
  tokenId: string;
  clientId: string;
  appName: string;
  userId: string;
  orgId: string | null;
  orgRole: string | null;
  scopes: string[];
  tenantId: string;
};

// Principals that act in a tenant (the /api/v1 operations).
export type TenantPrincipal = SessionPrincipal | ApiKeyPrincipal | OAuthPrincipal;
export type Principal = TenantPrincipal | MachinePrincipal;

export type PrincipalResult = { ok: true; principal: Principal } | { ok: false; problem: Problem };

// A credential as verified, before it is a principal: a bearer JWT (src/auth/signed-tokens.ts), an
// opaque machine token as Clerk described it (src/auth/machine-tokens.ts), or a browser's session.
export type VerifiedCredential = VerifiedJwt | MachineIdentity;

export type BearerVerification =
  | { status: "valid"; credential: VerifiedCredential }
  | { status: "invalid"; detail: string }
  | { status: "unavailable"; reason: string };

// A bearer JWT (an opaque machine token is Clerk's to verify: src/auth/gates/bearer-gate.ts),
// verified with Clerk's key as the type of token Clerk would take it for.
export function verifyBearerJwt(token: string): Promise<BearerVerification> {
  return verifySignedToken(tokenTypeOf(token) as VerifiedJwt["tokenType"], token);
}

export function fromMachine(verified: MachineVerification): BearerVerification {
  if (verified.status === "valid") return { status: "valid", credential: verified.identity };
  if (verified.status === "invalid") {
    return { status: "invalid", detail: "The token is not valid: unknown, revoked or expired." };
  }
  return verified;
}

export function principalOf(credential: VerifiedCredential): PrincipalResult {
  switch (credential.tokenType) {
    case "session_token":
      return {
        ok: true,
        principal: { ...credential, tenantId: credential.orgId ?? credential.userId },
      };
    case "api_key": {
      const { subject } = credential as MachineIdentity;
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
          keyName: (credential as MachineIdentity).name ?? "",
          userId,
          orgId,
          scopes: credential.scopes,
          tenantId,
        },
      };
    }
    case "m2m_token":
      return {
        ok: true,
        principal: {
          tokenType: "m2m_token",
          machineId: credential.subject,
          tokenId: credential.id,
          scopes: credential.scopes,
        },
      };
    default:
      return {
        ok: false,
        problem: problem("unauthenticated", `This app does not take ${credential.tokenType} yet.`),
      };
  }
}

const UNAVAILABLE = "Credentials cannot be checked right now. Try again shortly.";

// The claims of a JWT-format token the caller verified already.
function jwtClaims(token: string): { client_id?: unknown } {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

// An OAuth access token as verified, with what its grant says (src/auth/oauth-grant.ts): the
// organization chosen at consent, the user's membership there now, the application's name.
type OAuthCredential = { id: string; subject: string; scopes: string[]; clientId?: string | null };

async function oauthPrincipal(
  credential: OAuthCredential,
  token: string,
): Promise<PrincipalResult> {
  const claims = token.startsWith("oat_") ? {} : jwtClaims(token);
  const clientId =
    credential.clientId || (typeof claims.client_id === "string" ? claims.client_id : "");
  try {
    const [orgId, appName] = await Promise.all([
      grantOrganization(credential.id, token),
      applicationName(clientId),
    ]);
    const membership = orgId ? await memberRole(credential.subject, orgId) : null;
    if (orgId && !membership) {
      return {
        ok: false,
        problem: problem(
          "forbidden",
          "The user who granted this token is no longer a member of its organization.",
        ),
      };
    }
    const connected = await recordConnectionUse(database().db, {
      userId: credential.subject,
      clientId,
      appName,
      organizationId: orgId,
      scopes: credential.scopes,
    });
    if (!connected) {
      // Its grant ends at Clerk too, refresh token included (an opaque token can be revoked).
      if (token.startsWith("oat_")) await revokeGrant(clientId, token);
      return {
        ok: false,
        problem: problem(
          "unauthenticated",
          `The user disconnected ${appName} in their settings (Connected apps); it acts for them again once they reconnect it there.`,
        ),
      };
    }
    return {
      ok: true,
      principal: {
        tokenType: "oauth_token",
        tokenId: credential.id,
        clientId,
        appName,
        userId: credential.subject,
        orgId,
        orgRole: membership?.role ?? null,
        scopes: credential.scopes,
        tenantId: orgId ?? credential.subject,
      },
    };
  } catch (err) {
    if (!(err instanceof ServiceUnavailable)) throw err;
    return { ok: false, problem: problem("service-unavailable", UNAVAILABLE) };
  }
}

// A verified bearer credential as a principal.
function bearerPrincipal(credential: VerifiedCredential, token: string) {
  return credential.tokenType === "oauth_token"
    ? oauthPrincipal(credential, token)
    : principalOf(credential);
}

// A bearer token and what the API gate verified of it (src/auth/gates/bearer-gate.ts).
export type AdmittedBearer = { token: string; credential: VerifiedCredential };

// The caller of a route that takes `accepts` (its entry in the route table): the bearer token the
// API gate admitted (src/api/operation-bearer.ts), else a browser's session cookie, Clerk's
// middleware's to read, through `auth()`.
export async function currentPrincipal(
  accepts: readonly TokenType[],
  bearer: AdmittedBearer | null,
): Promise<PrincipalResult> {
  const refused = problem(
    "unauthenticated",
    `This route requires a valid credential: ${describeTokenTypes(accepts)}.`,
  );
  if (bearer) {
    if (!accepts.includes(bearer.credential.tokenType)) return { ok: false, problem: refused };
    return bearerPrincipal(bearer.credential, bearer.token);
  }
  if (!accepts.includes("session_token")) return { ok: false, problem: refused };
  const a = await auth();
  if (!a.isAuthenticated) return { ok: false, problem: refused };
  return principalOf({
    tokenType: "session_token",
    userId: a.userId,
    orgId: a.orgId ?? null,
    orgSlug: a.orgSlug ?? null,
    orgRole: a.orgRole ?? null,
    permissions: a.orgPermissions ?? [],
    ...billingClaimsOf(a.sessionClaims),
    factorVerificationAge: a.factorVerificationAge,
    impersonatorId: a.actor?.sub ?? null,
  });
}
