import postgres from "postgres";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { runMigrations } from "../../src/db/migrate";

export type ScratchDatabase = { url: string; drop: () => Promise<void> };

// A migrated database of a suite's own, for suites whose app reconciles with its emulator (which
// tombstones every row that emulator does not know: in the shared test database, the other
// suites' rows). On the PostgreSQL server of DATABASE_URL when there is one (CI's), else an
// embedded PGlite.
export async function startScratchDatabase(label: string): Promise<ScratchDatabase> {
  const server = process.env.DATABASE_URL;
  if (!server) {
    const embedded = await startEmbeddedPostgres({ port: 0, maxConnections: 20 });
    await runMigrations(embedded.url);
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
