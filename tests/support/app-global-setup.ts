import { spawn } from "node:child_process";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { runMigrations } from "../../src/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env: process.env });
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited with ${code}`)),
    );
  });
}

// A fresh schema on the given server (CI: the machine's PostgreSQL), so every run starts empty.
async function resetSchema(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`drop schema if exists public cascade`;
    await sql`drop schema if exists drizzle cascade`;
    await sql`create schema public`;
  } finally {
    await sql.end();
  }
}

// Once per run for the app suites: a production build (what `npm start` serves) and a migrated
// database — DATABASE_URL when set, else an in-memory embedded PGlite server.
export default async function setup(project: TestProject) {
  await run(process.execPath, ["--import", "tsx", "scripts/launch.ts", "build"]);
  let embedded: EmbeddedPostgres | undefined;
  let url = process.env.DATABASE_URL;
  if (url) {
    await resetSchema(url);
  } else {
    // Several app processes (a pool of 5 each) and the suites' own clients share it at once.
    embedded = await startEmbeddedPostgres({ port: 0, maxConnections: 40 });
    url = embedded.url;
  }
  await runMigrations(url);
  project.provide("databaseUrl", url);
  return async () => {
    await embedded?.stop();
  };
}
