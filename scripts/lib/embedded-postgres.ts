import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export type EmbeddedPostgres = { url: string; stop: () => Promise<void> };

// PGlite (Postgres compiled to WASM) served over the Postgres wire protocol, so the app's one
// driver (postgres.js) talks to it like to any server. `dataDir` undefined keeps it in memory.
// PGlite runs one query at a time; the socket server queues queries from up to
// `maxConnections` clients and keeps each client's transaction together.
export async function startEmbeddedPostgres(options: {
  dataDir?: string | undefined;
  port: number;
  maxConnections?: number;
}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port,
    maxConnections: options.maxConnections ?? 10,
  });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
