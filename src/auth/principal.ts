import { auth } from "@clerk/nextjs/server";
import { describeTokenTypes, type TokenType } from "@/auth/route-table";
import { type Problem, problem } from "@/http/problem";

// Who is calling, one kind of principal per token type. People and the keys they create act in a
// tenant: the active organization, or the user's personal workspace (their user id) when none is
// active. Machines of this deployment act for no tenant. What each may do is decided in
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

// Principals that act in a tenant (the /api/v1 operations).
export type TenantPrincipal = SessionPrincipal | ApiKeyPrincipal;
export type Principal = TenantPrincipal | MachinePrincipal;

export type PrincipalResult = { ok: true; principal: Principal } | { ok: false; problem: Problem };

const readAuth = (accepts: readonly TokenType[]) => auth({ acceptsToken: [...accepts] });
type AuthObject = Awaited<ReturnType<typeof readAuth>>;

function principalOf(a: AuthObject & { isAuthenticated: true }): PrincipalResult {
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
    default:
      return {
        ok: false,
        problem: problem("unauthenticated", `This app does not take ${a.tokenType} yet.`),
      };
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
