import { auth } from "@clerk/nextjs/server";
import { applicationName, grantOrganization, memberRole } from "@/auth/oauth-grant";
import { describeTokenTypes, type TokenType } from "@/auth/route-table";
import { type Problem, problem } from "@/http/problem";
import { ServiceUnavailable } from "@/http/unavailable";

// Who is calling, one kind of principal per token type. People and the keys they create act in a
// tenant: the active organization, or the user's personal workspace (their user id) when none is
// active. Third-party applications (OAuth access tokens) act for the user who consented, in the
// organization chosen then. Machines of this deployment act for no tenant. What each may do is decided in
// src/auth/authorize.ts.

export type SessionPrincipal = {
  tokenType: "session_token";
  userId: string;
  orgId: string | null;
  orgSlug: string | null;
  orgRole: string | null;
  permissions: string[];
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

const readAuth = (accepts: readonly TokenType[]) => auth({ acceptsToken: [...accepts] });
type AuthObject = Awaited<ReturnType<typeof readAuth>>;

async function oauthPrincipal(
  a: AuthObject & { isAuthenticated: true; tokenType: "oauth_token" },
): Promise<PrincipalResult> {
  try {
    const [orgId, appName] = await Promise.all([
      grantOrganization(a.id, await a.getToken()),
      applicationName(a.clientId),
    ]);
    const membership = orgId ? await memberRole(a.userId, orgId) : null;
    if (orgId && !membership) {
      return {
        ok: false,
        problem: problem(
          "forbidden",
          "The user who granted this token is no longer a member of its organization.",
        ),
      };
    }
    return {
      ok: true,
      principal: {
        tokenType: "oauth_token",
        tokenId: a.id,
        clientId: a.clientId,
        appName,
        userId: a.userId,
        orgId,
        orgRole: membership?.role ?? null,
        scopes: a.scopes ?? [],
        tenantId: orgId ?? a.userId,
      },
    };
  } catch (err) {
    if (!(err instanceof ServiceUnavailable)) throw err;
    return {
      ok: false,
      problem: problem("service-unavailable", "Clerk cannot tell this token's grant right now."),
    };
  }
}

async function principalOf(a: AuthObject & { isAuthenticated: true }): Promise<PrincipalResult> {
  switch (a.tokenType) {
    case "session_token":
      return {
        ok: true,
        principal: {
          tokenType: "session_token",
          userId: a.userId,
          orgId: a.orgId ?? null,
          orgSlug: a.orgSlug ?? null,
          orgRole: a.orgRole ?? null,
          permissions: a.orgPermissions ?? [],
          tenantId: a.orgId ?? a.userId,
        },
      };
    case "api_key": {
      const tenantId = a.orgId ?? a.userId;
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
          keyId: a.id,
          keyName: a.name ?? "",
          userId: a.userId,
          orgId: a.orgId,
          scopes: a.scopes ?? [],
          tenantId,
        },
      };
    }
    case "m2m_token":
      return {
        ok: true,
        principal: {
          tokenType: "m2m_token",
          machineId: a.machineId,
          tokenId: a.id,
          scopes: a.scopes ?? [],
        },
      };
    case "oauth_token":
      return oauthPrincipal(a);
  }
}

// The caller of a route that takes `accepts` (its entry in the route table). The proxy verified
// the credential already; this reads its result again (the proxy is not the only gate).
export async function currentPrincipal(accepts: readonly TokenType[]): Promise<PrincipalResult> {
  const a = await readAuth(accepts);
  if (!a.isAuthenticated) {
    return {
      ok: false,
      problem: problem(
        "unauthenticated",
        `This route requires a valid credential: ${describeTokenTypes(accepts)}.`,
      ),
    };
  }
  return principalOf(a);
}
