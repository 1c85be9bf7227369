import { auth } from "@clerk/nextjs/server";
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
      // Clerk's `has()` for the plan and features of the active organization (the token's
      // `pla`/`fea` claims).
      billing: (params: { plan: string } | { feature: string }) => boolean;
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

export async function currentPrincipal(): Promise<PrincipalResult> {
  const a = await auth({ acceptsToken: ["session_token", "api_key"] });
  if (!a.isAuthenticated) {
    return {
      ok: false,
      problem: problem("unauthenticated", "A valid session token or API key is required."),
    };
  }
  if (a.tokenType === "api_key") {
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
      billing: (params) => a.has(params),
    },
  };
}
