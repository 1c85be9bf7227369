import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { serverEnv } from "@/env/server-env";
import * as schema from "./schema";

function connect() {
  const sql = postgres(serverEnv().DATABASE_URL, {
    max: 5,
    // Fail a request rather than hang it when the database is unreachable.
    connect_timeout: 5,
    idle_timeout: 30,
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
