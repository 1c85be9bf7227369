import { protectedResourceMetadata } from "@/mcp/protected-resource";

// RFC 9728 metadata at the origin's root, for clients that look there first: the MCP endpoint is
// this origin's one protected resource for OAuth clients.
export function GET() {
  return Response.json(protectedResourceMetadata(), {
    headers: { "cache-control": "public, max-age=300" },
  });
}
