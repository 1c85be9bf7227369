import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { serverEnv } from "@/env/server-env";
import * as schema from "./schema";

// Bounds that turn a database in trouble into fast errors (answered as 503) instead of requests
// that hang: a connection attempt gives up after 3 s, a statement after 5 s, a transaction left
// idle after 10 s. A connection that fails is dropped from the pool and replaced on next use.
export const STATEMENT_TIMEOUT_MS = 5_000;

function connect() {
  const sql = postgres(serverEnv().DATABASE_URL, {
    max: 5,
    connect_timeout: 3,
    idle_timeout: 30,
    // Recycled now and then, so a failover or a DNS change is picked up without a restart.
    max_lifetime: 30 * 60,
    connection: {
      application_name: "acme-projects",
      statement_timeout: STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: 10_000,
    },
    onnotice: () => {},
  });
  return { sql, db: drizzle(sql, { schema }) };
}

type Connection = ReturnType<typeof connect>;

// One pool per server process; kept on globalThis so dev-mode hot reloads reuse it.
const holder = globalThis as typeof globalThis & { __appDb?: Connection };

export function database(): Connection {
  holder.__appDb ??= connect();
  return holder.__appDb;
}

export type Database = Connection["db"];
