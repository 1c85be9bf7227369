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

// The plan the app's database has in force for an organization: what its API keys are held to,
// as Clerk's billing webhooks (or one Backend API lookup) told the app.
export async function storedPlanOf(
  db: AppDatabase,
  organizationId: string,
): Promise<string | null> {
  const [row] = await db.sql`
    select plan_slug from subscription_items
    where organization_id = ${organizationId} and status in ('active', 'canceled', 'past_due')
    order by period_start desc limit 1`;
  return row?.plan_slug ?? null;
}
