import { clerkMiddleware } from "@clerk/nextjs/server";
import { type NextFetchEvent, NextRequest, NextResponse } from "next/server";
import { clerkAnswered, clerkUnavailable, mayAskClerk } from "@/auth/clerk-availability";
import {
  acceptsApiKeys,
  allowedMethods,
  isFrontendApiPath,
  type RouteRule,
  routeRule,
} from "@/auth/route-table";
import { keyIdOf, signingKeyFor } from "@/auth/signing-keys";
import { serverEnv } from "@/env/server-env";
import { type Problem, problem, problemResponse } from "@/http/problem";
import {
  clientAddressFrom,
  REQUEST_ID_HEADER,
  REQUEST_START_HEADER,
  requestIdFrom,
} from "@/http/request-identity";
import { MAX_BODY_BYTES } from "@/http/request-input";
import { newNonce, securityHeaders } from "@/http/security-headers";
import { logger } from "@/observability/logger";
import {
  authFailuresAllowed,
  consumeApiRequest,
  credentialKey,
  type LimitState,
  rateLimitHeaders,
  recordAuthFailure,
} from "@/rate-limit/limits";

// Every request the matcher below lets in passes here first, and is decided by the route table
// (src/auth/route-table.ts): the method, the body's declared size, then per kind of route who may
// pass. Clerk is asked last and only where needed, under rate limits and a time bound; every
// answer gets the security headers and the request id.

// Server actions and Clerk's Frontend API: no page takes more (Next's own server-action limit).
const MAX_REQUEST_BYTES = 1024 * 1024;
// How long Clerk may take to verify a credential before the request is answered 503.
const CLERK_TIMEOUT_MS = 5_000;
const RETRY_AFTER_SECONDS = "5";
const API_KEY_PREFIX = "ak_";

// Clerk's reasons for an unauthenticated answer that mean it could not be asked, not that the
// credential is bad: the Backend API failed or timed out, refused the app's secret key, or its
// JWKS could not be loaded.
const CLERK_FAULTS = new Set([
  "unexpected-error",
  "secret-key-invalid",
  "jwk-remote-failed-to-load",
]);

type RequestState = {
  requestId: string;
  started: number;
  rule: RouteRule;
  clientAddress: string | null;
  security: Headers;
  // A key to verify session tokens with, found by src/auth/signing-keys.ts.
  jwtKey?: string;
  credentialPresented: boolean;
  limit?: LimitState;
};

const states = new WeakMap<Request, RequestState>();

function stateOf(req: Request): RequestState {
  const state = states.get(req);
  if (!state) throw new Error("proxy: a request reached Clerk without its state");
  return state;
}

function frontendApiOrigin(): `https://${string}.${string}` | null {
  const env = serverEnv();
  // Proxied through this origin (the emulator's wiring, or Clerk's own proxy setup): 'self'.
  if (env.NEXT_PUBLIC_CLERK_PROXY_URL) return null;
  const encoded = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.split("_")[2] ?? "";
  const host = Buffer.from(encoded, "base64").toString("utf8").replace(/\$$/, "");
  return /^[a-z0-9.-]+\.[a-z]+$/i.test(host)
    ? (`https://${host}` as `https://${string}.${string}`)
    : null;
}

function clerkOptions(req: Request) {
  const env = serverEnv();
  const proxyUrl = env.NEXT_PUBLIC_CLERK_PROXY_URL;
  return {
    // The app's own pages (a development instance would otherwise send people to Clerk's
    // hosted Account Portal).
    signInUrl: "/sign-in",
    signUpUrl: "/sign-up",
    // Same-origin Frontend API proxy (the emulator's wiring, or Clerk's own proxy setup).
    frontendApiProxy: proxyUrl?.startsWith("/") ? { enabled: true, path: proxyUrl } : undefined,
    jwtKey: env.CLERK_JWT_KEY ?? states.get(req)?.jwtKey,
    authorizedParties: env.CLERK_AUTHORIZED_PARTIES,
    // Opening /orgs/<slug> makes that organization the active one.
    organizationSyncOptions: { organizationPatterns: ["/orgs/:slug", "/orgs/:slug/(.*)"] },
  };
}

function refuse(state: RequestState, p: Problem, headers: Record<string, string> = {}): Response {
  logger.info({
    request_id: state.requestId,
    route: state.rule.pattern,
    status: p.status,
    duration_ms: Date.now() - state.started,
    refused: p.type,
  });
  return problemResponse(p, headers, state.requestId);
}

function unavailable(state: RequestState): Response {
  const detail = "Credentials cannot be checked right now. Try again shortly.";
  if (state.rule.access.kind === "api") {
    return refuse(state, problem("service-unavailable", detail), {
      "retry-after": RETRY_AFTER_SECONDS,
    });
  }
  return new Response(detail, {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", "retry-after": RETRY_AFTER_SECONDS },
  });
}

// What the pages and handlers behind the proxy receive besides the request: its id and start,
// and for pages the CSP, from which Next and Clerk take the nonce for their scripts.
function forward(req: NextRequest, state: RequestState, headers: Record<string, string> = {}) {
  const request = new Headers(req.headers);
  request.set(REQUEST_ID_HEADER, state.requestId);
  request.set(REQUEST_START_HEADER, String(state.started));
  const csp = state.security.get("content-security-policy");
  if (csp) request.set("content-security-policy", csp);
  return NextResponse.next({ request: { headers: request }, headers });
}

// Clerk's Frontend API proxy tells Clerk the browser's address (shown in "Active devices", and
// in Clerk's own rate limits) from CF-Connecting-IP, X-Real-IP or the leftmost X-Forwarded-For:
// all of them whatever the browser chose to send. Forward the address this proxy trusts instead.
function withClientAddress(req: NextRequest, state: RequestState): NextRequest {
  const headers = new Headers(req.headers);
  headers.delete("cf-connecting-ip");
  headers.delete("x-real-ip");
  if (state.clientAddress) headers.set("x-forwarded-for", state.clientAddress);
  else headers.delete("x-forwarded-for");
  return new NextRequest(req, { headers });
}

const clerk = clerkMiddleware(async (auth, req) => {
  const state = stateOf(req);
  const access = state.rule.access;
  if (access.kind === "signed-in-page") {
    const { isAuthenticated, redirectToSignIn } = await auth();
    if (!isAuthenticated) return redirectToSignIn({ returnBackUrl: req.url });
  } else if (access.kind === "api") {
    const result = await auth({ acceptsToken: [...access.accepts] });
    if (!result.isAuthenticated) {
      const reason = String(result.debug?.().reason ?? "");
      if (CLERK_FAULTS.has(reason)) {
        clerkUnavailable(reason);
        return unavailable(state);
      }
      if (result.tokenType === "api_key") clerkAnswered();
      if (state.credentialPresented && state.clientAddress) {
        await recordAuthFailure(state.clientAddress);
      }
      return refuse(
        state,
        problem(
          "unauthenticated",
          "Send a valid session token or API key as `Authorization: Bearer <token>`.",
        ),
        { "www-authenticate": "Bearer" },
      );
    }
    if (result.tokenType === "api_key") {
      clerkAnswered();
    } else {
      // A session is counted by its user: its tokens change every minute.
      state.limit = await consumeApiRequest(`user:${result.userId}`);
      if (!state.limit.allowed) return tooMany(state, state.limit);
    }
    return forward(req, state, state.limit ? rateLimitHeaders(state.limit) : {});
  }
  return forward(req, state);
}, clerkOptions);

function tooMany(state: RequestState, limit: LimitState): Response {
  const detail =
    limit.name === "api"
      ? `At most ${limit.limit} requests per minute per credential. Retry after ${limit.resetSeconds} s.`
      : `Too many failed credentials from this address. Retry after ${limit.resetSeconds} s.`;
  return refuse(state, problem("too-many-requests", detail), rateLimitHeaders(limit));
}

async function askClerk(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CLERK_TIMEOUT_MS);
  });
  try {
    const res = await Promise.race([clerk(req, event), timeout]);
    if (res !== "timeout") return res ?? forward(req, state);
    clerkUnavailable(`no answer within ${CLERK_TIMEOUT_MS} ms`);
    return unavailable(state);
  } finally {
    clearTimeout(timer);
  }
}

function bearerOf(req: NextRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

// The session JWTs Clerk would verify for this request: a bearer token, or the session cookies
// (`__session`, or suffixed per instance) and a handshake token.
function sessionTokens(req: NextRequest, bearer: string | null): string[] {
  if (bearer) return bearer.startsWith(API_KEY_PREFIX) ? [] : [bearer];
  const cookies = req.cookies
    .getAll()
    .filter((c) => c.name === "__session" || c.name.startsWith("__session_"))
    .map((c) => c.value);
  const handshake = req.nextUrl.searchParams.get("__clerk_handshake");
  return [...cookies, ...(handshake ? [handshake] : [])].filter(Boolean);
}

type KeyCheck =
  | { status: "ok"; jwtKey?: string }
  | { status: "unknown" }
  | { status: "unavailable" };

async function checkSigningKeys(tokens: string[]): Promise<KeyCheck> {
  if (serverEnv().CLERK_JWT_KEY || tokens.length === 0) return { status: "ok" };
  const pems = new Set<string>();
  for (const token of tokens) {
    const kid = keyIdOf(token);
    // Not a JWT: Clerk rejects it without fetching anything.
    if (!kid) continue;
    const key = await signingKeyFor(kid);
    if (key.status !== "known") return { status: key.status };
    pems.add(key.pem);
  }
  // One key, as Clerk instances have: verify with it. Two (a rotation): let Clerk pick.
  return { status: "ok", jwtKey: pems.size === 1 ? [...pems][0] : undefined };
}

async function apiGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  if (req.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { allow: allowedMethods(state.rule).join(", ") },
    });
  }
  const bearer = bearerOf(req);
  const tokens = sessionTokens(req, bearer);
  state.credentialPresented = bearer !== null || tokens.length > 0;
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  if (bearer?.startsWith(API_KEY_PREFIX)) {
    state.limit = await consumeApiRequest(credentialKey(bearer));
    if (!state.limit.allowed) return tooMany(state, state.limit);
    if (!mayAskClerk()) return unavailable(state);
  }
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    if (state.clientAddress) await recordAuthFailure(state.clientAddress);
    return refuse(state, problem("unauthenticated", "The session token is not signed by Clerk."), {
      "www-authenticate": "Bearer",
    });
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state);
}

async function pageGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  // clerkMiddleware verifies every `ak_` bearer with Clerk (a billed Backend API call) before any
  // handler runs. Routes that never accept API keys refuse one here, without asking Clerk.
  if (!acceptsApiKeys(state.rule.access) && bearerOf(req)?.startsWith(API_KEY_PREFIX)) {
    return refuse(
      state,
      problem(
        "unauthenticated",
        "This route does not accept API keys; the API's operations under /api/v1 do.",
      ),
    );
  }
  const keys = await checkSigningKeys(sessionTokens(req, bearerOf(req)));
  if (keys.status === "unknown") {
    // Session cookies signed by a key Clerk does not have (say, from another Clerk instance on
    // the same host): drop them and let Clerk's handshake sign the browser in again, if it can.
    const res = NextResponse.redirect(req.nextUrl, req.method === "GET" ? 307 : 303);
    for (const c of req.cookies.getAll()) {
      if (c.name === "__session" || c.name.startsWith("__session_")) res.cookies.delete(c.name);
    }
    return res;
  }
  if (keys.status === "ok") state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state);
}

async function decide(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const { rule } = state;
  const allow = allowedMethods(rule);
  if (!(allow as readonly string[]).includes(req.method)) {
    return refuse(state, problem("method-not-allowed", `Use ${allow.join(", ")}.`), {
      allow: allow.join(", "),
    });
  }
  const declared = Number(req.headers.get("content-length") ?? 0);
  const limit = rule.access.kind === "api" ? MAX_BODY_BYTES : MAX_REQUEST_BYTES;
  if (declared > limit) {
    return refuse(state, problem("content-too-large", `The body must be at most ${limit} bytes.`));
  }
  switch (rule.access.kind) {
    case "unknown-api":
      return refuse(state, problem("not-found", "No such API operation; see /docs/api."));
    case "clerk-frontend-api":
      if (!isFrontendApiPath(req.nextUrl.pathname)) {
        return refuse(state, problem("not-found", "Not a Clerk Frontend API path."));
      }
      return clerk(withClientAddress(req, state), event) as Promise<Response>;
    case "api":
      return apiGate(req, event, state);
    case "machine":
      return forward(req, state);
    default:
      return pageGate(req, event, state);
  }
}

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const env = serverEnv();
  const pathname = req.nextUrl.pathname;
  const page = !pathname.startsWith("/api/") && !pathname.startsWith("/__clerk/");
  const state: RequestState = {
    requestId: requestIdFrom(req.headers),
    started: Date.now(),
    rule: routeRule(pathname),
    clientAddress: clientAddressFrom(req.headers, env.TRUSTED_PROXY_HOPS),
    security: securityHeaders({
      nonce: page ? newNonce() : null,
      production: process.env.NODE_ENV === "production",
      frontendApiOrigin: frontendApiOrigin(),
    }),
    credentialPresented: false,
  };
  states.set(req, state);
  const res = await decide(req, event, state);
  for (const [name, value] of state.security) res.headers.set(name, value);
  res.headers.set(REQUEST_ID_HEADER, state.requestId);
  return res;
}

export const config = {
  matcher: [
    // Everything but Next internals, static files (Clerk's recommended matcher) and the machine
    // endpoints of the route table, which need no Clerk (tests/unit/app/proxy-matcher.test.ts
    // holds the two together) ...
    "/((?!_next|api/health$|api/webhooks/clerk$|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)",
    "/api/((?!health$|webhooks/clerk$).*)",
    // ... and the Frontend API proxy, whose clerk-js and @clerk/ui bundles end in .js.
    "/__clerk/(.*)",
  ],
};
