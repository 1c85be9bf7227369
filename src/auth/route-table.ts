// The one declarative table that decides, per route, who may reach it and with which methods.
// src/proxy.ts enforces it; every page and handler checks auth again itself (defence in depth).

// The token types Clerk's `auth({ acceptsToken })` knows. Each is one kind of principal
// (src/auth/principal.ts) with its own rules (src/auth/authorize.ts).
export const TOKEN_TYPES = ["session_token", "api_key", "m2m_token", "oauth_token"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

const TOKEN_TYPE_NAMES: Record<TokenType, string> = {
  session_token: "a session token",
  api_key: "an API key",
  m2m_token: "an M2M token",
  oauth_token: "an OAuth access token",
};

// "a session token or an API key", for problems that say what a route takes.
export function describeTokenTypes(types: readonly TokenType[]): string {
  const names = types.map((t) => TOKEN_TYPE_NAMES[t]);
  return names.length < 2
    ? (names[0] ?? "no token")
    : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

export type RouteAccess =
  // Pages anyone may see (Clerk still runs, so a signed-in visitor is recognised).
  | { kind: "public" }
  // Endpoints that need no credential and no Clerk (the health check, the webhook receiver): left
  // out of the proxy's matcher entirely, so they cost nothing but their handler.
  | { kind: "unproxied" }
  // Pages for signed-in users. A pending session (one with a session task to do, see
  // session-tasks.ts) counts as signed out, but on the page that does the task (`tasks`).
  | { kind: "signed-in-page"; tasks?: true }
  | { kind: "api"; accepts: readonly TokenType[] }
  // The MCP endpoint: an API route whose 401 names its OAuth protected-resource metadata, the way
  // MCP clients find where to sign in (src/auth/gates/mcp-gate.ts).
  | { kind: "mcp"; accepts: readonly TokenType[] }
  // A path under /api that names no operation: a 404 problem, never an HTML page.
  | { kind: "unknown-api" }
  | { kind: "clerk-frontend-api" };

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export type RouteRule = { pattern: string; access: RouteAccess; methods: readonly Method[] };

const PUBLIC = { kind: "public" } as const;
const UNPROXIED = { kind: "unproxied" } as const;
const SIGNED_IN_PAGE = { kind: "signed-in-page" } as const;
const TASK_PAGE = { kind: "signed-in-page", tasks: true } as const;
// The API's operations: people (session tokens), the keys they create, and the third-party
// applications they connect (OAuth access tokens).
const API = { kind: "api", accepts: ["session_token", "api_key", "oauth_token"] } as const;
// Routes for this deployment's own machines (a scheduled job): M2M tokens only.
const MACHINE_API = { kind: "api", accepts: ["m2m_token"] } as const;

// Pages answer GET (and HEAD), and POST for their server actions.
const PAGE: readonly Method[] = ["GET", "HEAD", "POST"];
const READ: readonly Method[] = ["GET", "HEAD"];
const ALL: readonly Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

// Patterns: literal segments, `:name` for one segment, a trailing `*` for any rest (or none).
// First match wins.
export const ROUTES: readonly RouteRule[] = [
  { pattern: "/", access: PUBLIC, methods: PAGE },
  { pattern: "/sign-in/*", access: PUBLIC, methods: PAGE },
  { pattern: "/sign-up/*", access: PUBLIC, methods: PAGE },
  { pattern: "/api/health", access: UNPROXIED, methods: READ },
  { pattern: "/api/webhooks/clerk", access: UNPROXIED, methods: ["POST"] },
  // The API's description and its reference page hold nothing secret; tools fetch the document
  // without credentials.
  { pattern: "/api/v1/openapi.json", access: PUBLIC, methods: READ },
  { pattern: "/docs/api", access: PUBLIC, methods: PAGE },
  // The Terms of Service and the Privacy Policy, which <SignUp/> links to before anyone has an
  // account.
  { pattern: "/legal/:document", access: PUBLIC, methods: READ },
  // Clerk's Frontend API, proxied to Clerk (or the emulator): clerk-js uses these methods.
  { pattern: "/__clerk/*", access: { kind: "clerk-frontend-api" }, methods: ALL },
  // Where signing in lands: redirects to the organization to work in (a GET only, no actions).
  { pattern: "/dashboard", access: SIGNED_IN_PAGE, methods: READ },
  // Choosing or creating an organization: also Clerk's choose-organization session task.
  { pattern: "/onboarding", access: TASK_PAGE, methods: PAGE },
  { pattern: "/orgs/:slug/*", access: SIGNED_IN_PAGE, methods: PAGE },
  { pattern: "/settings/*", access: SIGNED_IN_PAGE, methods: PAGE },
  // Clerk's <OAuthConsent/>: where Clerk's OAuth server asks a signed-in user to connect an app.
  { pattern: "/oauth/consent", access: SIGNED_IN_PAGE, methods: READ },
  { pattern: "/api/v1/me", access: API, methods: READ },
  { pattern: "/api/v1/projects", access: API, methods: [...READ, "POST"] },
  { pattern: "/api/v1/projects/:id", access: API, methods: [...READ, "PATCH", "DELETE"] },
  { pattern: "/api/v1/members", access: API, methods: READ },
  { pattern: "/api/v1/audit-events", access: API, methods: READ },
  { pattern: "/api/internal/reconcile", access: MACHINE_API, methods: ["POST"] },
  // MCP over Streamable HTTP, stateless: JSON-RPC requests are POSTs (no server-sent stream to
  // open with GET, no session to end with DELETE). AI assistants the user connected with OAuth.
  { pattern: "/mcp", access: { kind: "mcp", accepts: ["oauth_token"] }, methods: ["POST"] },
  // Where MCP clients learn which authorization server to use (RFC 9728), and that server's
  // metadata where RFC 8414 puts it for an issuer under this origin's Clerk proxy: public
  // documents that need no Clerk.
  { pattern: "/.well-known/oauth-protected-resource/*", access: UNPROXIED, methods: READ },
  { pattern: "/.well-known/oauth-authorization-server/*", access: UNPROXIED, methods: READ },
  { pattern: "/api/*", access: { kind: "unknown-api" }, methods: ALL },
];

// Anything the table does not name is treated as a signed-in page: a forgotten route fails closed.
export const DEFAULT_RULE: RouteRule = { pattern: "*", access: SIGNED_IN_PAGE, methods: PAGE };

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

function matchSegments(want: string[], got: string[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    if (segment === "*" && i === want.length - 1) return true;
    const part = got[i];
    if (part === undefined) return false;
    if (!segment.startsWith(":") && segment !== part) return false;
  }
  return got.length === want.length;
}

export function matchPattern(pattern: string, pathname: string): boolean {
  return matchSegments(segmentsOf(pattern), segmentsOf(pathname));
}

// The table's patterns, split once: the proxy looks a route up on every request.
const COMPILED = ROUTES.map((rule) => ({ rule, segments: segmentsOf(rule.pattern) }));

export function findRoute(pathname: string): RouteRule | undefined {
  const got = segmentsOf(pathname);
  return COMPILED.find((r) => matchSegments(r.segments, got))?.rule;
}

export function routeRule(pathname: string): RouteRule {
  return findRoute(pathname) ?? DEFAULT_RULE;
}

export function routeAccess(pathname: string): RouteAccess {
  return routeRule(pathname).access;
}

// The token types a route takes: its own list for the API, a session (cookie or bearer) for pages,
// none elsewhere. Any other presented is refused before Clerk is asked about it.
export function acceptedTokenTypes(access: RouteAccess): readonly TokenType[] {
  if (access.kind === "api" || access.kind === "mcp") return access.accepts;
  if (access.kind === "public" || access.kind === "signed-in-page") return ["session_token"];
  return [];
}

// The token types an API operation takes, by its route as its handler names it
// ("/api/v1/projects/{id}"; the table's own pattern works too).
export function apiTokenTypes(route: string): readonly TokenType[] {
  const access = routeAccess(route);
  if (access.kind !== "api" && access.kind !== "mcp") {
    throw new Error(`route table: ${route} is not an API route`);
  }
  return access.accepts;
}

// The `Allow` of a route: OPTIONS is answered for every API operation.
export function allowedMethods(rule: RouteRule): readonly Method[] {
  return rule.access.kind === "api" ? [...rule.methods, "OPTIONS"] : rule.methods;
}

// What the app forwards to Clerk's Frontend API. Clerk (and the emulator) serve the Frontend API
// on an origin of its own, where nothing answers to a secret key, so any path may go; encoded
// slashes and dots could climb out of the proxy's path once forwarded, and Clerk never sends them.
const ENCODED_SEPARATOR = /%2f|%5c|%2e/i;

export function isFrontendApiPath(pathname: string): boolean {
  return pathname.startsWith("/__clerk/") && !ENCODED_SEPARATOR.test(pathname);
}
