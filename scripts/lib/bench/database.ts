import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { startChild, stopChild } from "../children";

export type BenchDatabase = { url: string; label: string; stop: () => Promise<void> };

// DATABASE_URL when set (a real PostgreSQL gives the meaningful figures), else the embedded
// PGlite that `npm run dev` uses, in memory. PGlite runs queries on the thread that holds it, so
// it gets a process of its own (as under the dev launcher, beside Next): its work never delays
// the load generator's clock.
export async function openBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (databaseUrl) {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await sql<{ version: string }[]>`select version()`.finally(() => sql.end());
    const version = row?.version.split(" on ")[0] ?? "unknown version";
    return { url: databaseUrl, label: `DATABASE_URL (${version})`, stop: async () => {} };
  }
  const child = startChild(
    "database",
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./embedded-postgres-process.ts", import.meta.url))],
    { PATH: process.env.PATH, NODE_ENV: "production" },
    { echo: false },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.process.stdout?.on("data", (chunk: Buffer) => {
      const found = /postgres:\/\/\S+/.exec(chunk.toString());
      if (found) resolve(found[0]);
    });
    void child.exited.then(() => reject(new Error(`embedded database exited:\n${child.output()}`)));
  });
  return {
    url,
    label: "embedded PGlite (in memory, in its own process, as `npm run dev` without DATABASE_URL)",
    stop: () => stopChild(child),
  };
}
