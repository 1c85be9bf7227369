import { startEmbeddedPostgres } from "../embedded-postgres";

// The embedded database as a process of its own (see database.ts): an in-memory PGlite served
// over the Postgres wire protocol. Prints its URL; stops on SIGTERM.
const database = await startEmbeddedPostgres({ port: 0 });
process.once("SIGTERM", async () => {
  await database.stop();
  process.exit(0);
});
console.log(database.url);
