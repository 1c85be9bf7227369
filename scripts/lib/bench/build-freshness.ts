import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { startChild } from "../children";

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

// `npm run build` (through the launcher, as a user runs it) when `.next` is stale.
export async function buildIfStale(root: string, log: (line: string) => void): Promise<void> {
  const reason = staleBuildReason(root);
  if (!reason) return log("build: .next is newer than every source file; using it");
  log(`build: ${reason}; running \`npm run build\` (a few minutes) ...`);
  const build = startChild(
    "build",
    process.execPath,
    ["--import", "tsx", "scripts/launch.ts", "build"],
    { ...process.env },
  );
  const code = await build.exited;
  if (code !== 0) throw new Error(`npm run build exited with ${code}`);
}
