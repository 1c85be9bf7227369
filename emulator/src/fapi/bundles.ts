import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { RouteResult } from "../http/router";

const require = createRequire(import.meta.url);

// The pinned @clerk/clerk-js and @clerk/ui bundles, served from node_modules the way Clerk's CDN
// serves them (`/npm/@clerk/<pkg>@<version>/dist/<file>`): nothing is fetched from outside. The
// bundles derive their chunks' URL from their own, so any version in the URL maps to the
// installed one.
// Both packages keep their entry point in dist/ (their package.json is not exported).
const distOf = (pkg: string) => path.dirname(require.resolve(pkg));
const DISTS: Record<string, string> = {
  "clerk-js": distOf("@clerk/clerk-js"),
  ui: distOf("@clerk/ui"),
};

const TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=utf-8",
  ".mjs": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
};

const BUNDLE_PATH = /^\/npm\/@clerk\/([a-z-]+)@[^/]+\/dist\/(.+)$/;

export function bundleFor(urlPath: string): RouteResult | null {
  const match = BUNDLE_PATH.exec(urlPath);
  if (!match) return null;
  const dist = DISTS[match[1] as string];
  const type = TYPES[path.extname(match[2] as string)];
  if (!dist || !type) return null;
  const file = path.resolve(dist, match[2] as string);
  // Never outside dist/ (a `..` in the URL), and only files that exist.
  if (!file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile())
    return null;
  return { status: 200, file, contentType: type };
}
