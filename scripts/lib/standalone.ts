import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

// Next's standalone output (`output: "standalone"`) is the server and the node_modules it needs,
// in .next/standalone, without the static files, `public/` or anything of the app's outside Next.
// This adds them, so that the folder runs by itself (a container copies just it):
// - .next/static and public/, which the server serves;
// - serve.cjs: scripts/serve.ts, the app's front door (client address, graceful stop, 503s),
//   bundled with what it imports but Next, which the folder has;
// - migrate.cjs and src/db/migrations: `node migrate.cjs` applies the migrations (a release step).
export async function completeStandalone(root: string): Promise<void> {
  const out = path.join(root, ".next", "standalone");
  if (!existsSync(out))
    throw new Error(`${out} is missing: next.config.ts must say output: "standalone"`);
  cpSync(path.join(root, ".next", "static"), path.join(out, ".next", "static"), {
    recursive: true,
  });
  if (existsSync(path.join(root, "public"))) {
    cpSync(path.join(root, "public"), path.join(out, "public"), { recursive: true });
  }
  cpSync(path.join(root, "src", "db", "migrations"), path.join(out, "src", "db", "migrations"), {
    recursive: true,
  });
  await build({
    absWorkingDir: root,
    entryPoints: { serve: "scripts/serve.ts", migrate: "scripts/migrate.ts" },
    outdir: out,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // The folder's own copy, the one its server files were traced against.
    external: ["next"],
    logLevel: "warning",
  });
}
