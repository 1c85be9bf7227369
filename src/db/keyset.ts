import { type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

// Keyset pagination for lists ordered newest first by a timestamp, ties broken by a uuid id.
//
// A position is the last row's time in microseconds since the epoch, exactly as Postgres stores it
// (a JS Date keeps only milliseconds, and rounding would skip or repeat rows written within the
// same millisecond), and its id.
export type TimePosition = { micros: string; id: string };

export function microsOf(column: PgColumn): SQL<string> {
  return sql<string>`(extract(epoch from ${column}) * 1000000)::bigint::text`;
}

// Rows after `position` in (time desc, id desc) order.
export function olderThan(time: PgColumn, id: PgColumn, position: TimePosition): SQL {
  return sql`(${time}, ${id}) < (timestamptz 'epoch' + ${position.micros}::bigint * interval '1 microsecond', ${position.id}::uuid)`;
}

// Reads one row more than asked (`limit + 1`): whether it came tells if another page follows.
export function pageOf<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => TimePosition,
): { rows: T[]; next: TimePosition | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? positionOf(last) : null };
}
