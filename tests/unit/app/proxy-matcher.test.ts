import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProxyMatcher } from "next/dist/build/analysis/get-page-static-info";
import { getMiddlewareRouteMatcher } from "next/dist/shared/lib/router/utils/middleware-route-matcher";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../../src/auth/route-table";
import { config } from "../../../src/proxy";

// The proxy's matcher is a literal Next must read at build time, so it cannot be derived from the
// route table; this holds the two together, with Next's own matcher compiler (the function the
// build uses, which Next's type declarations do not export).
const { getMiddlewareMatchers } = createRequire(import.meta.url)(
  "next/dist/build/analysis/get-page-static-info",
) as { getMiddlewareMatchers: (matcher: string[], config: unknown) => ProxyMatcher[] };
const matches = getMiddlewareRouteMatcher(getMiddlewareMatchers(config.matcher, { i18n: null }));
const runsProxy = (pathname: string) => matches(pathname, {} as never, {});

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
    },
  );

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
