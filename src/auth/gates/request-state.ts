import { type NextRequest, NextResponse } from "next/server";
import { CREDENTIAL_HEADER } from "@/auth/credential-handoff";
import { type RouteRule, routeRule } from "@/auth/route-table";
import { serverEnv } from "@/env/server-env";
import { type Problem, problem, problemResponse } from "@/http/problem";
import {
  CLIENT_REQUEST_ID_HEADER,
  clientAddressFrom,
  clientRequestIdFrom,
  REQUEST_ID_HEADER,
  REQUEST_START_HEADER,
  serverRequestId,
} from "@/http/request-identity";
import { RETRY_AFTER_SECONDS, UNAVAILABLE_PAGE } from "@/http/unavailable-page";
import { logger } from "@/observability/logger";
import { type LimitState, rateLimitHeaders } from "@/rate-limit/limits";

// What the proxy knows about a request while its gate decides, and the answers every gate gives
// the same way (refused, unavailable, too many, let through).

export type RequestState = {
  requestId: string;
  // The client's own id for the request, if it sent a well-formed one: logged beside ours.
  clientRequestId: string | null;
  started: number;
  rule: RouteRule;
  clientAddress: string | null;
  security: Headers;
  // A key to verify session tokens with, found by src/auth/signing-keys.ts.
  jwtKey?: string;
  credentialPresented: boolean;
  limit?: LimitState;
  // The bearer token's verified credential, sealed for the handler (src/auth/credential-handoff.ts).
  handoff?: string;
};

// A request as a gate first sees it, with the security headers its answers get.
export function newRequestState(req: NextRequest, security: Headers): RequestState {
  return {
    requestId: serverRequestId(),
    clientRequestId: clientRequestIdFrom(req.headers),
    started: Date.now(),
    rule: routeRule(req.nextUrl.pathname),
    clientAddress: clientAddressFrom(req.headers, serverEnv().TRUSTED_PROXY_HOPS),
    security,
    credentialPresented: false,
  };
}

export function refuse(
  state: RequestState,
  p: Problem,
  headers: Record<string, string> = {},
): Response {
  logger.info({
    request_id: state.requestId,
    ...(state.clientRequestId && { client_request_id: state.clientRequestId }),
    route: state.rule.pattern,
    status: p.status,
    duration_ms: Date.now() - state.started,
    refused: p.type,
  });
  return problemResponse(p, headers, state.requestId);
}

// Clerk did not answer in time: a problem for the API and Clerk's own Frontend API, the small 503
// page for pages.
export function unavailable(state: RequestState): Response {
  const retryAfter = String(RETRY_AFTER_SECONDS);
  const { kind } = state.rule.access;
  if (kind === "api" || kind === "mcp" || kind === "clerk-frontend-api") {
    const detail = "Credentials cannot be checked right now. Try again shortly.";
    return refuse(state, problem("service-unavailable", detail), { "retry-after": retryAfter });
  }
  return new Response(UNAVAILABLE_PAGE, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": retryAfter,
    },
  });
}

export function tooMany(state: RequestState, limit: LimitState): Response {
  const detail =
    limit.name !== "api"
      ? `Too many failed credentials from this address. Retry after ${limit.resetSeconds} s.`
      : limit.limit === null
        ? `This credential is over its requests per minute. Retry after ${limit.resetSeconds} s.`
        : `At most ${limit.limit} requests per minute per credential. Retry after ${limit.resetSeconds} s.`;
  return refuse(state, problem("too-many-requests", detail), rateLimitHeaders(limit));
}

export function unauthenticated(state: RequestState, detail: string): Response {
  return refuse(state, problem("unauthenticated", detail), { "www-authenticate": "Bearer" });
}

// What the pages and handlers behind the proxy receive besides the request: its id and start,
// what the proxy verified of its bearer token (never what the client sent under that name), and
// for pages the CSP, from which Next and Clerk take the nonce for their scripts.
export function forward(
  req: Request,
  state: RequestState,
  headers: Record<string, string> = {},
): NextResponse {
  const request = new Headers(req.headers);
  request.set(REQUEST_ID_HEADER, state.requestId);
  if (state.clientRequestId) request.set(CLIENT_REQUEST_ID_HEADER, state.clientRequestId);
  else request.delete(CLIENT_REQUEST_ID_HEADER);
  request.set(REQUEST_START_HEADER, String(state.started));
  request.delete(CREDENTIAL_HEADER);
  if (state.handoff) request.set(CREDENTIAL_HEADER, state.handoff);
  const csp = state.security.get("content-security-policy");
  if (csp) request.set("content-security-policy", csp);
  return NextResponse.next({ request: { headers: request }, headers });
}
