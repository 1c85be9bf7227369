import type { NextRequest } from "next/server";
import { protectedResourceMetadata } from "@/mcp/protected-resource";

// RFC 9728 metadata at the origin's root, for clients that look there first: the MCP endpoint is
// this origin's one protected resource for OAuth clients.
export function GET(req: NextRequest) {
  return Response.json(protectedResourceMetadata(req.nextUrl.origin), {
    headers: { "cache-control": "public, max-age=300" },
  });
}
