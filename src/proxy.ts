import type { NextFetchEvent, NextRequest } from "next/server";
import { OAUTH_CONSENT_PATH } from "@/app/oauth/consent/consent-path";
import { apiGate } from "@/auth/gates/api-gate";
import { frontendApiOrigin } from "@/auth/gates/clerk";
import { frontendApiGate } from "@/auth/gates/frontend-api-gate";
import { mcpGate } from "@/auth/gates/mcp-gate";
import { pageGate } from "@/auth/gates/page-gate";
import { forward, newRequestState, type RequestState, refuse } from "@/auth/gates/request-state";
import { refusedUpFront } from "@/auth/gates/up-front";
import type { RouteAccess } from "@/auth/route-table";
import { problem } from "@/http/problem";
import { REQUEST_ID_HEADER } from "@/http/request-identity";
import { constantSecurityHeaders, newNonce, securityHeaders } from "@/http/security-headers";

// Every request the matcher below lets in passes here: the route table (src/auth/route-table.ts)
// says what kind of route it is, and that kind's gate (src/auth/gates/) decides who may pass,
// asking Clerk last and only where needed. Every answer gets the security headers and the
// request id.

type Gate = (req: NextRequest, event: NextFetchEvent, state: RequestState) => Promise<Response>;

const GATES: Record<RouteAccess["kind"], Gate> = {
  public: pageGate,
  "signed-in-page": pageGate,
  api: apiGate,
  mcp: mcpGate,
  "clerk-frontend-api": frontendApiGate,
  // Left out of the matcher; should one get here, it needs nothing from the proxy.
  unproxied: async (req, _event, state) => forward(req, state),
  "unknown-api": async (_req, _event, state) =>
    refuse(state, problem("not-found", "No such API operation; see /docs/api.")),
};

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const { pathname } = req.nextUrl;
  const page =
    !pathname.startsWith("/api/") && !pathname.startsWith("/__clerk/") && pathname !== "/mcp";
  const security = {
    production: process.env.NODE_ENV === "production",
    frontendApiOrigin: frontendApiOrigin(),
  };
  // A page's CSP carries its own nonce; every other answer's headers are the same each time.
  const state = newRequestState(
    req,
    page
      ? securityHeaders({
          ...security,
          nonce: newNonce(),
          formLeavesOrigin: pathname === OAUTH_CONSENT_PATH,
        })
      : constantSecurityHeaders(security),
  );
  const res =
    refusedUpFront(req, state) ?? (await GATES[state.rule.access.kind](req, event, state));
  // What the proxy lets through to anything but a page gets next.config.ts's headers, which are
  // these; a page needs its own CSP (its nonce), and the proxy's own answers need them all.
  const forwarded = res.headers.get("x-middleware-next") === "1";
  if (page || !forwarded) for (const [name, value] of state.security) res.headers.set(name, value);
  res.headers.set(REQUEST_ID_HEADER, state.requestId);
  return res;
}

export const config = {
  matcher: [
    // Everything but Next's internals, the app's own static files (metadata files in src/app:
    // icon.svg), the unproxied endpoints of the route table, which need no Clerk, and the API's
    // operations (next entry). Not "any path ending in a file extension", as Clerk's example
    // matcher has it: a page's path can end in one (/orgs/acme.css), and would then render
    // without the proxy, and without Clerk.
    "/((?!_next/|icon\\.svg$|api/health$|api/webhooks/clerk$|\\.well-known/oauth-|api/v1/(?:me|projects|projects/[^/]+|members|audit-events)$|api/internal/reconcile$).*)",
    // The API's operations, but for a request with a bearer token (the value is bearerOf's
    // pattern, src/auth/gates/credentials.ts): the operation admits that token itself, through the
    // same gate (src/api/operation-bearer.ts), without the cost of a pass through the proxy. A
    // browser's session cookie still comes through here, for Clerk's middleware.
    {
      source:
        "/api/(v1/me|v1/projects|v1/projects/[^/]+|v1/members|v1/audit-events|internal/reconcile)",
      missing: [
        { type: "header", key: "authorization", value: "[Bb][Ee][Aa][Rr][Ee][Rr]\\s+\\S+\\s*" },
      ],
    },
    // tests/unit/app/proxy-matcher.test.ts holds these, the route table and the files together.
  ],
};
