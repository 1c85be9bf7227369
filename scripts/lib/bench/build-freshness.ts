import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

// What a production build is made from: if any of it is newer than the build, the build is stale.
const SOURCES = [
  "src",
  "public",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

// Why `.next` needs building (missing, or older than its newest source), or null if it is fresh.
export function staleBuildReason(root: string): string | null {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "there is no production build (.next/BUILD_ID)";
  const builtAt = statSync(buildId).mtimeMs;
  let newest = { file: "", mtimeMs: 0 };
  for (const source of SOURCES.map((s) => path.join(root, s)).filter((p) => existsSync(p))) {
    for (const file of files(source)) {
      const { mtimeMs } = statSync(file);
      if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest.mtimeMs > builtAt
    ? `${path.relative(root, newest.file)} is newer than the build`
    : null;
}

function files(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((name) => files(path.join(p, name)));
}
