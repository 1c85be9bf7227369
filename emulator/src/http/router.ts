import type { IncomingMessage } from "node:http";

// The emulator answers on two origins, as Clerk does: the Backend API (servers, with the instance
// secret) and the Frontend API (browsers, through the app's proxy). Nothing served on one is
// reachable on the other.
export type ApiOrigin = "backend" | "frontend";

export type RequestInfo = {
  origin: ApiOrigin;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
  ip: string;
};

export type RouteResult =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string }
  | { status: 204 }
  // 303 after a form's POST (the browser follows with a GET), 307 otherwise.
  | { status: 303 | 307; location: string }
  | { status: 200; file: string; contentType: string }
  | { status: 200; bytes: Buffer; contentType: string };

export type Handler = (
  req: RequestInfo,
  params: Record<string, string>,
) => RouteResult | Promise<RouteResult>;

// Where a route is served, and to whom:
// - "secret": the Backend API origin, with the instance secret as bearer (JSON bodies);
// - "frontend": the Frontend API origin (no secret; form-encoded or JSON bodies; `?_method=`
//   overrides, which clerk-js sends instead of PATCH/PUT/DELETE);
// - "open": the Backend API origin without a credential (the emulator's inspect page, its health);
// - "machine": the Backend API origin, with the instance secret or a machine's secret key, which
//   the handler tells apart (the M2M token endpoints);
// - "both": both origins, on the same path; the handler tells the callers apart by `req.origin`
//   (the API-key endpoints: servers with the secret, <APIKeys/> with a session token).
export type RouteKind = "secret" | "frontend" | "open" | "machine" | "both";

const SERVED_AT: Record<RouteKind, readonly ApiOrigin[]> = {
  secret: ["backend"],
  open: ["backend"],
  machine: ["backend"],
  frontend: ["frontend"],
  both: ["backend", "frontend"],
};

type Route = {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
  auth: RouteKind;
};

// Collapse "//" (the SDK's proxy form of `//api_keys`) and drop a trailing slash. The raw path is
// never given to `new URL()`, which would read `//api_keys` as a host name.
export function splitUrl(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf("?");
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const path = `/${rawPath.split("/").filter(Boolean).join("/")}`;
  return { path, query: new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1)) };
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, auth: RouteKind = "secret"): this {
    const segments = pattern.split("/").filter(Boolean);
    this.routes.push({ method, pattern, segments, handler, auth });
    return this;
  }

  // The routes served at `origin` only (the two APIs share paths such as /v1/organizations/...).
  // Literal segments win over parameters (/users/count before /users/:id).
  match(
    origin: ApiOrigin,
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { route: null; methodNotAllowed: boolean } {
    const parts = path.split("/").filter(Boolean);
    const candidates = this.routes
      .filter((route) => SERVED_AT[route.auth].includes(origin))
      .map((route) => ({ route, params: matchSegments(route.segments, parts) }))
      .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== null)
      .sort((a, b) => literalScore(b.route) - literalScore(a.route));
    const best = candidates.find((c) => c.route.method === method);
    return best ?? { route: null, methodNotAllowed: candidates.length > 0 };
  }
}

function literalScore(route: Route): number {
  return route.segments.filter((s) => !s.startsWith(":")).length;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const part = parts[i] as string;
    if (p.startsWith(":")) {
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (p !== part) {
      return null;
    }
  }
  return params;
}
