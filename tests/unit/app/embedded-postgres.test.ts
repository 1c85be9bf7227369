import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../../scripts/lib/embedded-postgres";

let db: EmbeddedPostgres;
beforeAll(async () => {
  db = await startEmbeddedPostgres({ port: 0 });
}, 30_000);
afterAll(async () => {
  await db?.stop();
});

describe("embedded database", () => {
  it("answers each of several concurrent clients' queries with its own results", async () => {
    const clients = [0, 1, 2].map(() => postgres(db.url, { max: 3, onnotice: () => {} }));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, async (_, i) => {
          const client = clients[i % clients.length] as postgres.Sql;
          if (i % 5 === 0) {
            return client.begin(async (tx) => {
              await tx`select ${i}::int as n`;
              const [row] = await tx`select ${String(i)}::text as s`;
              return row?.s === String(i);
            });
          }
          // Unprepared, as drizzle sends them: described first (Parse, Describe, Flush), then bound
          // and run (Bind, Execute, Sync) in a second exchange, both on the unnamed statement.
          const [row] =
            i % 2 === 0
              ? await client.unsafe("select $1::int + 1 as n", [i])
              : await client.unsafe("select $1::text || 'x' as s, 1 as one", [String(i)]);
          return i % 2 === 0 ? row?.n === i + 1 : row?.s === `${i}x`;
        }),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(results.every((r) => r.status === "fulfilled" && r.value === true)).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  }, 30_000);
});
