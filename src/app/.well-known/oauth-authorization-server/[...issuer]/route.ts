import type { NextRequest } from "next/server";
import { problem, problemResponse } from "@/http/problem";
import { appOrigin, authorizationServer } from "@/mcp/protected-resource";

// RFC 8414 §3.1 puts an issuer's metadata at `/.well-known/oauth-authorization-server<issuer
// path>` on the issuer's origin: with Clerk's Frontend API proxied at `/__clerk`, that is here.
// Clients that follow the RFC (the MCP SDK first of all) find Clerk's own document, fetched
// through the proxy so that every URL in it is the proxy's.
export async function GET(
  _req: NextRequest,
  { params }: { params: Promise<{ issuer: string[] }> },
) {
  const issuer = authorizationServer();
  const path = `/${(await params).issuer.join("/")}`;
  if (`${appOrigin()}${path}` !== issuer) {
    return problemResponse(problem("not-found", "No authorization server has this issuer here."));
  }
  const res = await fetch(`${issuer}/.well-known/oauth-authorization-server`, {
    cache: "no-store",
    signal: AbortSignal.timeout(5_000),
  }).catch(() => null);
  if (!res?.ok) {
    return problemResponse(problem("service-unavailable", "Clerk's metadata did not load."), {
      "retry-after": "5",
    });
  }
  return Response.json(await res.json(), { headers: { "cache-control": "public, max-age=300" } });
}
