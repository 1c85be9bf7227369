import { currentPrincipal } from "@/auth/principal";
import { problemResponse } from "@/http/problem";

// Who is calling: the credential's type, user, organization and what it may do.
export async function GET() {
  const result = await currentPrincipal();
  if (!result.ok) return problemResponse(result.problem);
  const p = result.principal;
  const body =
    p.tokenType === "api_key"
      ? {
          token_type: p.tokenType,
          api_key: { id: p.keyId, name: p.keyName },
          user_id: p.userId,
          org_id: p.orgId,
          tenant_id: p.tenantId,
          scopes: p.scopes,
        }
      : {
          token_type: p.tokenType,
          user_id: p.userId,
          org_id: p.orgId,
          org_slug: p.orgSlug,
          org_role: p.orgRole,
          tenant_id: p.tenantId,
          permissions: p.permissions,
        };
  return Response.json(body, { headers: { "cache-control": "no-store" } });
}
