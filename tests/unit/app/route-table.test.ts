import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { acceptsApiKeys, findRoute, routeAccess } from "../../../src/auth/route-table";

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
    for (const url of [
      "/",
      "/sign-in",
      "/sign-up/verify",
      "/api/health",
      "/api/webhooks/clerk",
      "/api/v1/openapi.json",
      "/docs/api",
    ]) {
      expect(routeAccess(url).kind, url).toBe("public");
    }
    for (const url of [
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

  it("accepts API keys only on the API's operations under /api/v1", () => {
    for (const url of ["/api/v1/me", "/api/v1/projects", "/api/v1/projects/x", "/api/v1/members"]) {
      expect(routeAccess(url), url).toEqual({ kind: "api", accepts: ["session_token", "api_key"] });
    }
    for (const url of [
      "/",
      "/api/health",
      "/api/v1/openapi.json",
      "/docs/api",
      "/settings/api-keys",
      "/orgs/acme/settings/api-keys",
      "/api/webhooks/clerk",
      "/orgs/acme",
      "/__clerk/v1/client",
    ]) {
      expect(acceptsApiKeys(routeAccess(url)), url).toBe(false);
    }
  });

  it("does not let a prefix stand in for a segment", () => {
    expect(routeAccess("/sign-inx").kind).toBe("signed-in-page");
    expect(routeAccess("/api/v10/me").kind).toBe("signed-in-page");
  });
});
