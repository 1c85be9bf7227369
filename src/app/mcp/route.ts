import { apiOperation } from "@/api/api-operation";
import { answerMcp } from "@/mcp/mcp-server";
import { MCP_PATH } from "@/mcp/protected-resource";

// The MCP endpoint (Streamable HTTP). The proxy let through only a valid OAuth access token; the
// operation wrapper checks it again, logs the request and bounds its time; each tool then asks
// for its own scope (src/mcp/mcp-server.ts).
export const POST = apiOperation(MCP_PATH, null, async ({ req, principal, context }) =>
  answerMcp(req, principal, context),
);
