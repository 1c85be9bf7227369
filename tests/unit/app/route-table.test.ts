import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  acceptedTokenTypes,
  allowedMethods,
  apiTokenTypes,
  describeTokenTypes,
  findRoute,
  isFrontendApiPath,
  routeAccess,
  routeRule,
} from "../../../src/auth/route-table";
import { TASK_URLS } from "../../../src/auth/session-tasks";

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src/app");

// Every URL shape the App Router serves, derived from the files on disk: a catch-all contributes
// its bare path and a nested one, a dynamic segment a sample value.
function appUrls(dir = APP_DIR, prefix = ""): string[] {
  const urls: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && /^(page|route)\.tsx?$/.test(entry.name)) urls.push(prefix || "/");
    if (!entry.isDirectory()) continue;
    const name = entry.name;
    const child = path.join(dir, name);
    if (/^\(.*\)$/.test(name)) urls.push(...appUrls(child, prefix));
    else if (/^\[\[\.\.\..+\]\]$/.test(name)) {
      urls.push(...appUrls(child, prefix), ...appUrls(child, `${prefix}/a/b`));
    } else if (/^\[\.\.\..+\]$/.test(name)) urls.push(...appUrls(child, `${prefix}/a/b`));
    else if (/^\[.+\]$/.test(name)) urls.push(...appUrls(child, `${prefix}/sample`));
    else urls.push(...appUrls(child, `${prefix}/${name}`));
  }
  return urls;
}

// The route file on disk that serves an API URL (its dynamic segments as sampled above).
function routeFile(url: string): string {
  const parts = url.split("/").filter(Boolean);
  let dir = "";
  for (const part of parts) {
    const entries = readdirSync(path.join(APP_DIR, dir), { withFileTypes: true });
    const literal = entries.find((e) => e.isDirectory() && e.name === part);
    const dynamic = entries.find((e) => e.isDirectory() && /^\[[^.]+\]$/.test(e.name));
    dir = path.join(dir, (literal ?? dynamic)?.name ?? part);
  }
  return path.join(dir, "route.ts");
}

describe("the proxy's route table", () => {
  const urls = appUrls();

  it("finds the app's routes on disk", () => {
    expect(urls).toEqual(
      expect.arrayContaining(["/", "/sign-in", "/sign-in/a/b", "/api/v1/me", "/orgs/sample"]),
    );
  });

  it.each(urls)("names %s explicitly", (url) => {
    expect(findRoute(url), `${url} is missing from src/auth/route-table.ts`).toBeDefined();
  });

  it("treats a route it does not name as a signed-in page", () => {
    expect(findRoute("/admin")).toBeUndefined();
    expect(routeAccess("/admin")).toEqual({ kind: "signed-in-page" });
  });

  it("keeps the public routes public and the rest behind sign-in", () => {
    for (const url of ["/", "/sign-in", "/sign-up/verify", "/api/v1/openapi.json", "/docs/api"]) {
      expect(routeAccess(url).kind, url).toBe("public");
    }
    for (const url of ["/api/health", "/api/webhooks/clerk"]) {
      expect(routeAccess(url).kind, url).toBe("unproxied");
    }
    for (const url of [
      "/dashboard",
      "/onboarding",
      "/orgs/acme",
      "/orgs/acme/settings/api-keys",
      "/settings",
      "/settings/api-keys",
      "/settings/security",
    ]) {
      expect(routeAccess(url).kind, url).toBe("signed-in-page");
    }
    expect(routeAccess("/__clerk/v1/client").kind).toBe("clerk-frontend-api");
  });

  it("names the token types per route: sessions, API keys and OAuth tokens for /api/v1, OAuth tokens for /mcp, M2M tokens for machine routes, sessions for pages", () => {
    for (const url of ["/api/v1/me", "/api/v1/projects", "/api/v1/projects/x", "/api/v1/members"]) {
      expect(routeAccess(url), url).toEqual({
        kind: "api",
        accepts: ["session_token", "api_key", "oauth_token"],
      });
    }
    expect(routeAccess("/mcp")).toEqual({ kind: "mcp", accepts: ["oauth_token"] });
    expect(apiTokenTypes("/mcp")).toEqual(["oauth_token"]);
    expect(routeAccess("/api/internal/reconcile")).toEqual({ kind: "api", accepts: ["m2m_token"] });
    expect(apiTokenTypes("/api/internal/reconcile")).toEqual(["m2m_token"]);
    expect(apiTokenTypes("/api/v1/projects/{id}")).toEqual([
      "session_token",
      "api_key",
      "oauth_token",
    ]);
    expect(() => apiTokenTypes("/settings/*")).toThrow(/not an API route/);
    for (const url of ["/", "/docs/api", "/settings/api-keys", "/orgs/acme", "/dashboard"]) {
      expect(acceptedTokenTypes(routeAccess(url)), url).toEqual(["session_token"]);
    }
    for (const url of [
      "/api/health",
      "/api/webhooks/clerk",
      "/__clerk/v1/client",
      "/api/nope",
      "/.well-known/oauth-protected-resource/mcp",
    ]) {
      expect(acceptedTokenTypes(routeAccess(url)), url).toEqual([]);
    }
  });

  it("says what a route takes in words", () => {
    expect(describeTokenTypes(["m2m_token"])).toBe("an M2M token");
    expect(describeTokenTypes(["session_token", "api_key", "oauth_token"])).toBe(
      "a session token, an API key or an OAuth access token",
    );
  });

  it("lets pending sessions onto the page of each session task, and no other", () => {
    const taskPages = new Set<string>(Object.values(TASK_URLS));
    for (const url of appUrls()) {
      const access = routeAccess(url);
      const tasks = access.kind === "signed-in-page" && access.tasks === true;
      expect([url, tasks]).toEqual([url, taskPages.has(url)]);
    }
  });

  it("lets /dashboard, a redirect, answer only GET and HEAD", () => {
    expect(allowedMethods(routeRule("/dashboard"))).toEqual(["GET", "HEAD"]);
  });

  it("does not let a prefix stand in for a segment", () => {
    expect(routeAccess("/sign-inx").kind).toBe("signed-in-page");
    expect(routeAccess("/api/v10/me").kind).toBe("unknown-api");
  });

  it("answers paths under /api that name no operation as an unknown API path", () => {
    for (const url of ["/api", "/api/v1", "/api/v1/nope", "/api/v1/projects/a/b", "/api/other"]) {
      expect(routeAccess(url).kind, url).toBe("unknown-api");
    }
  });

  it("allows each API route exactly the methods its handler exports (and OPTIONS, HEAD)", () => {
    const api = urls.filter((url) => url.startsWith("/api/"));
    for (const url of api) {
      const file = path.join(APP_DIR, routeFile(url));
      const exported = [
        ...readFileSync(file, "utf8").matchAll(
          /export (?:(?:async )?function|const) (GET|POST|PATCH|PUT|DELETE)\b/g,
        ),
      ].map((m) => m[1]);
      const allowed = allowedMethods(routeRule(url)).filter((m) => m !== "HEAD" && m !== "OPTIONS");
      expect([...allowed].sort(), url).toEqual(exported.sort());
    }
  });

  it("forwards the Frontend API's paths to Clerk, never with encoded separators", () => {
    for (const url of [
      "/__clerk/v1/client",
      "/__clerk/v1/environment",
      "/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js",
      "/__clerk//api_keys",
      "/__clerk/api_keys/ak_1/revoke",
    ]) {
      expect(isFrontendApiPath(url), url).toBe(true);
    }
    for (const url of [
      "/__clerk",
      "/__clerk/v1%2f..%2f__emulator",
      "/__clerk/npm/%2e%2e/__emulator",
      "/__clerk/v1%5cusers",
    ]) {
      expect(isFrontendApiPath(url), url).toBe(false);
    }
  });
});
