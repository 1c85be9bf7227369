import { createRequire } from "node:module";
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

describe("the proxy's matcher", () => {
  it.each(ROUTES.map((r) => [r.pattern, r.access.kind]))(
    "runs the proxy for %s exactly when the route table needs it (%s)",
    (pattern, kind) => {
      expect(runsProxy(sample(pattern))).toBe(kind !== "unproxied");
    },
  );

  it("leaves Next's internals and static files alone, but not the Frontend API's bundles", () => {
    expect(runsProxy("/_next/static/chunks/app.js")).toBe(false);
    expect(runsProxy("/icon.svg")).toBe(false);
    expect(runsProxy("/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js")).toBe(true);
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
