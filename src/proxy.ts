import type { NextFetchEvent, NextRequest } from "next/server";
import { OAUTH_CONSENT_PATH } from "@/app/oauth/consent/consent-path";
import { apiGate } from "@/auth/gates/api-gate";
import { frontendApiOrigin } from "@/auth/gates/clerk";
import { frontendApiGate } from "@/auth/gates/frontend-api-gate";
import { mcpGate } from "@/auth/gates/mcp-gate";
import { pageGate } from "@/auth/gates/page-gate";
import { forward, type RequestState, refuse } from "@/auth/gates/request-state";
import { allowedMethods, type RouteAccess, routeRule } from "@/auth/route-table";
import { serverEnv } from "@/env/server-env";
import { problem } from "@/http/problem";
import {
  clientAddressFrom,
  clientRequestIdFrom,
  REQUEST_ID_HEADER,
  serverRequestId,
} from "@/http/request-identity";
import { MAX_BODY_BYTES } from "@/http/request-input";
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

// Server actions and Clerk's Frontend API: no page takes more (Next's own server-action limit).
const MAX_REQUEST_BYTES = 1024 * 1024;

// Refusals that need nothing but the route: a method it does not serve, a body too large.
function refusedUpFront(req: NextRequest, state: RequestState): Response | null {
  const allow = allowedMethods(state.rule);
  if (!(allow as readonly string[]).includes(req.method)) {
    return refuse(state, problem("method-not-allowed", `Use ${allow.join(", ")}.`), {
      allow: allow.join(", "),
    });
  }
  const declared = Number(req.headers.get("content-length") ?? 0);
  const limit = state.rule.access.kind === "api" ? MAX_BODY_BYTES : MAX_REQUEST_BYTES;
  if (declared > limit) {
    return refuse(state, problem("content-too-large", `The body must be at most ${limit} bytes.`));
  }
  return null;
}

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const { pathname } = req.nextUrl;
  const page =
    !pathname.startsWith("/api/") && !pathname.startsWith("/__clerk/") && pathname !== "/mcp";
  const security = {
    production: process.env.NODE_ENV === "production",
    frontendApiOrigin: frontendApiOrigin(),
  };
  const state: RequestState = {
    requestId: serverRequestId(),
    clientRequestId: clientRequestIdFrom(req.headers),
    started: Date.now(),
    rule: routeRule(pathname),
    clientAddress: clientAddressFrom(req.headers, serverEnv().TRUSTED_PROXY_HOPS),
    // A page's CSP carries its own nonce; every other answer's headers are the same each time.
    security: page
      ? securityHeaders({
          ...security,
          nonce: newNonce(),
          formLeavesOrigin: pathname === OAUTH_CONSENT_PATH,
        })
      : constantSecurityHeaders(security),
    credentialPresented: false,
  };
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
    // icon.svg) and the unproxied endpoints of the route table, which need no Clerk. Not "any
    // path ending in a file extension", as Clerk's example matcher has it: a page's path can end
    // in one (/orgs/acme.css), and would then render without the proxy, and without Clerk.
    // tests/unit/app/proxy-matcher.test.ts holds this, the route table and the files together.
    "/((?!_next/|icon\\.svg$|api/health$|api/webhooks/clerk$|\\.well-known/oauth-).*)",
  ],
};
