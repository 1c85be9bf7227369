// The one declarative table that decides, per route, who may reach it. src/proxy.ts enforces it;
// every page and handler checks auth again itself (defence in depth).
export type TokenType = "session_token" | "api_key";

export type RouteAccess =
  | { kind: "public" }
  | { kind: "signed-in-page" }
  | { kind: "api"; accepts: readonly TokenType[] }
  | { kind: "clerk-frontend-api" };

export type RouteRule = { pattern: string; access: RouteAccess };

const PUBLIC = { kind: "public" } as const;
const SIGNED_IN_PAGE = { kind: "signed-in-page" } as const;

// Patterns: literal segments, `:name` for one segment, a trailing `*` for any rest (or none).
// First match wins.
export const ROUTES: readonly RouteRule[] = [
  { pattern: "/", access: PUBLIC },
  { pattern: "/sign-in/*", access: PUBLIC },
  { pattern: "/sign-up/*", access: PUBLIC },
  { pattern: "/api/health", access: PUBLIC },
  { pattern: "/api/webhooks/clerk", access: PUBLIC },
  // The API's description and its reference page hold nothing secret; tools fetch the document
  // without credentials.
  { pattern: "/api/v1/openapi.json", access: PUBLIC },
  { pattern: "/docs/api", access: PUBLIC },
  { pattern: "/__clerk/*", access: { kind: "clerk-frontend-api" } },
  { pattern: "/onboarding", access: SIGNED_IN_PAGE },
  { pattern: "/orgs/:slug/*", access: SIGNED_IN_PAGE },
  { pattern: "/settings/*", access: SIGNED_IN_PAGE },
  { pattern: "/api/v1/*", access: { kind: "api", accepts: ["session_token", "api_key"] } },
];

// Anything the table does not name is treated as a signed-in page: a forgotten route fails closed.
export const DEFAULT_ACCESS: RouteAccess = SIGNED_IN_PAGE;

export function matchPattern(pattern: string, pathname: string): boolean {
  const want = pattern.split("/").filter(Boolean);
  const got = pathname.split("/").filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    if (segment === "*" && i === want.length - 1) return true;
    const part = got[i];
    if (part === undefined) return false;
    if (!segment.startsWith(":") && segment !== part) return false;
  }
  return got.length === want.length;
}

export function findRoute(pathname: string): RouteRule | undefined {
  return ROUTES.find((r) => matchPattern(r.pattern, pathname));
}

export function routeAccess(pathname: string): RouteAccess {
  return findRoute(pathname)?.access ?? DEFAULT_ACCESS;
}

export function acceptsApiKeys(access: RouteAccess): boolean {
  return access.kind === "api" && access.accepts.includes("api_key");
}
