import type { NextFetchEvent, NextRequest } from "next/server";
import { protectedResourceMetadataUrl } from "@/mcp/protected-resource";
import { apiGate } from "./api-gate";
import type { RequestState } from "./request-state";

// The gate of the MCP endpoint: the API gate (OAuth access tokens, under the same limits), and a
// refusal that tells an MCP client where to sign in: `WWW-Authenticate` names the endpoint's OAuth
// protected-resource metadata (RFC 9728 §5.1), which names Clerk as its authorization server.
export async function mcpGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const res = await apiGate(req, event, state);
  if (res.status === 401) {
    res.headers.set(
      "www-authenticate",
      `Bearer resource_metadata="${protectedResourceMetadataUrl()}"`,
    );
  }
  return res;
}
