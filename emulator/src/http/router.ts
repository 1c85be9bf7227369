import type { IncomingMessage } from "node:http";

export type RequestInfo = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  ip: string;
};

export type RouteResult =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string }
  | { status: 204 };

export type Handler = (
  req: RequestInfo,
  params: Record<string, string>,
) => RouteResult | Promise<RouteResult>;

type Route = { method: string; segments: string[]; handler: Handler; auth: "secret" | "none" };

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

  add(method: string, pattern: string, handler: Handler, auth: Route["auth"] = "secret"): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, auth });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { route: null; methodNotAllowed: boolean } {
    const parts = path.split("/").filter(Boolean);
    let pathMatched = false;
    // Literal segments win over parameters: /users/count before /users/:id.
    const candidates = this.routes
      .map((route) => ({ route, params: matchSegments(route.segments, parts) }))
      .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== null)
      .sort((a, b) => literalScore(b.route) - literalScore(a.route));
    for (const c of candidates) {
      pathMatched = true;
      if (c.route.method === method) return c;
    }
    return { route: null, methodNotAllowed: pathMatched };
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
