import { serverEnv } from "@/env/server-env";
import { ORGANIZATION_SCOPE } from "../../clerk/oauth-scopes";

// The MCP endpoint as an OAuth protected resource (RFC 9728): Clerk is its authorization server.
// With the Frontend API proxied through this origin (the emulator's wiring, or Clerk's proxy
// setup), Clerk's issuer is `<this origin><proxy path>`; without, the Frontend API host that the
// publishable key names.

export const MCP_PATH = "/mcp";

// The app's public origin as configured (APP_URL), never one a request names: these documents tell
// clients where to send the user's credentials.
export const appOrigin = () => new URL(serverEnv().APP_URL).origin;

// What an assistant is granted when it asks for nothing in particular: the projects and members
// of the organization the user picks on the consent screen. The activity log (`audit:read`) is
// given only to a client that asks for it.
export const MCP_SCOPES = ["projects:read", "projects:write", "members:read", ORGANIZATION_SCOPE];

export function authorizationServer(origin = appOrigin()): string {
  const env = serverEnv();
  const proxy = env.NEXT_PUBLIC_CLERK_PROXY_URL;
  if (proxy) return proxy.startsWith("/") ? `${origin}${proxy.replace(/\/+$/, "")}` : proxy;
  const encoded = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.split("_")[2] ?? "";
  return `https://${Buffer.from(encoded, "base64").toString("utf8").replace(/\$$/, "")}`;
}

export const protectedResourceMetadataUrl = (origin = appOrigin()) =>
  `${origin}/.well-known/oauth-protected-resource${MCP_PATH}`;

export function protectedResourceMetadata(origin = appOrigin()) {
  return {
    resource: `${origin}${MCP_PATH}`,
    authorization_servers: [authorizationServer(origin)],
    scopes_supported: MCP_SCOPES,
    bearer_methods_supported: ["header"],
    resource_name: "Acme Projects",
    resource_documentation: `${origin}/docs/api`,
  };
}
