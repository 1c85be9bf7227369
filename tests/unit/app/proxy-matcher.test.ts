import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProxyMatcher } from "next/dist/build/analysis/get-page-static-info";
import { getMiddlewareRouteMatcher } from "next/dist/shared/lib/router/utils/middleware-route-matcher";
import { describe, expect, it } from "vitest";
import { bearerOf } from "../../../src/auth/gates/credentials";
import { ROUTES } from "../../../src/auth/route-table";
import { config } from "../../../src/proxy";

// The proxy's matcher is a literal Next must read at build time, so it cannot be derived from the
// route table; this holds the two together, with Next's own matcher compiler (the function the
// build uses, which Next's type declarations do not export).
const { getMiddlewareMatchers } = createRequire(import.meta.url)(
  "next/dist/build/analysis/get-page-static-info",
) as { getMiddlewareMatchers: (matcher: unknown, config: unknown) => ProxyMatcher[] };
const matches = getMiddlewareRouteMatcher(getMiddlewareMatchers(config.matcher, { i18n: null }));
// Whether Next runs the proxy for a request to `pathname` with these headers (lower-case names,
// as Node gives them).
const runsProxy = (pathname: string, headers: Record<string, string> = {}) =>
  matches(pathname, { headers } as never, {});

// A concrete path for each pattern of the route table.
function sample(pattern: string): string {
  return pattern.replace(/:[^/]+/g, "sample").replace(/\/\*$/, "/a/b");
}

// The files Next serves as they are from src/app (metadata files such as icon.svg): what is not a
// route, a layout, a component or a stylesheet the build takes in.
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src/app");
const STATIC_FILES = readdirSync(APP_DIR, { withFileTypes: true })
  .filter((e) => e.isFile() && !/\.(tsx?|css)$/.test(e.name))
  .map((e) => `/${e.name}`);

// A page's path with what a file name ends with.
const EXTENSIONS = [".css", ".html", ".htm", ".js", ".json", ".png", ".svg", ".ico", ".txt"];

describe("the proxy's matcher", () => {
  it.each(ROUTES.map((r) => [r.pattern, r.access.kind]))(
    "runs the proxy for %s exactly when the route table needs it (%s)",
    (pattern, kind) => {
      expect(runsProxy(sample(pattern))).toBe(kind !== "unproxied");
      // A bearer token at an API operation is admitted by the operation itself.
      const bearer = { authorization: "Bearer ak_sample" };
      expect(runsProxy(sample(pattern), bearer)).toBe(kind !== "unproxied" && kind !== "api");
    },
  );

  it.each(ROUTES.filter((r) => r.access.kind === "api").map((r) => [r.pattern, r.methods]))(
    "leaves %s to a handler that admits bearer tokens itself, and refuses every other method",
    (pattern, methods) => {
      const file = path.join(APP_DIR, pattern.replace(/:([^/]+)/g, "[$1]"), "route.ts");
      const source = readFileSync(file, "utf8");
      // Each method the table names is an operation (src/api/api-operation.ts), which runs the
      // bearer gate; every other is refused with a problem, not Next's empty 405.
      const operations = [
        ...source.matchAll(/export const (\w+) = (?:apiOperation|machineOperation)\b/g),
      ].map((m) => m[1]);
      const refused = (/export const \{([^}]*)\} = UNSERVED_METHODS;/.exec(source)?.[1] ?? "")
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean);
      // Next answers HEAD with GET's handler.
      const served = operations.includes("GET") ? [...operations, "HEAD"] : operations;
      expect(new Set(served)).toEqual(new Set(methods));
      expect(new Set([...served, ...refused])).toEqual(
        new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
      );
    },
  );

  it("takes an Authorization header for a bearer token exactly when the handlers do", () => {
    const values = [
      "Bearer ak_x",
      "bearer ak_x",
      "BEARER \t ak_x  ",
      "Bearer a.b.c",
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "Basic dXNlcjpwYXNz",
      "Bearerak_x",
      "Token ak_x",
      "",
    ];
    for (const value of values) {
      const handlerSees = bearerOf({ headers: new Headers({ authorization: value }) });
      const proxied = runsProxy("/api/v1/me", { authorization: value.trim() });
      expect(proxied, JSON.stringify(value)).toBe(handlerSees === null);
    }
  });

  it("runs the proxy for a bearer token at any other path under /api", () => {
    const bearer = { authorization: "Bearer ak_sample" };
    for (const path of [
      "/api/v1/me/x",
      "/api/v1/me.json",
      "/api/v1/projects/a/b",
      "/api/v1/openapi.json",
      "/api/v1/nothing",
      "/api/V1/me",
      "/api/internal/reconcile/x",
      "/mcp",
    ]) {
      expect(runsProxy(path, bearer), path).toBe(true);
    }
  });

  it("leaves Next's internals and the app's own static files alone, but not the Frontend API's bundles", () => {
    expect(STATIC_FILES).toContain("/icon.svg");
    for (const file of STATIC_FILES) expect(runsProxy(file), file).toBe(false);
    expect(runsProxy("/_next/static/chunks/app.js")).toBe(false);
    expect(runsProxy("/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js")).toBe(true);
  });

  it.each(ROUTES.filter((r) => r.access.kind !== "unproxied").map((r) => [r.pattern]))(
    "runs the proxy for %s whatever file extension the path ends in",
    (pattern) => {
      for (const extension of EXTENSIONS) {
        const page = `${sample(pattern)}${extension}`;
        expect(runsProxy(page), page).toBe(true);
      }
    },
  );

  it("runs the proxy for a file name the app does not serve, so the route table decides it", () => {
    for (const file of ["/favicon.ico", "/robots.txt", "/a.css", "/x/y.html", "/icon.svg/x"]) {
      expect(runsProxy(file), file).toBe(true);
    }
  });

  it("does not let a machine endpoint's name shelter other paths", () => {
    for (const path of [
      "/api/healthz",
      "/api/health/x",
      "/api/webhooks/clerk/x",
      "/api/webhooks",
    ]) {
      expect(runsProxy(path), path).toBe(true);
    }
  });
});
