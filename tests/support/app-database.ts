import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../../src/db/schema";

// A test's own connections to the database the app under test uses: `sql` to look at what it
// stored (timestamps as Dates), `db` to drive the app's modules directly. Two clients, because
// drizzle replaces the timestamp parsers of the client it is given.
export function connectAppDatabase(url: string) {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const driver = postgres(url, { max: 5, onnotice: () => {} });
  return {
    sql,
    db: drizzle(driver, { schema }),
    close: async () => {
      await Promise.all([sql.end(), driver.end()]);
    },
  };
}

export type AppDatabase = ReturnType<typeof connectAppDatabase>;

// Polls until `accept` holds for what `read` returns (deliveries are asynchronous), and returns it;
// past the deadline, returns the last value so the test's assertion shows what was there instead.
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
