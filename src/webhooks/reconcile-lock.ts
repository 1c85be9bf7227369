import { database } from "@/db/client";

// One reconciliation at a time, however many app instances run: a Postgres advisory lock held on
// a connection of its own for the run (released with it, also when the process dies), and, for the
// embedded database (whose clients share one session, where advisory locks do not exclude each
// other), the run this process has under way.

// An arbitrary, fixed key no other lock of the app uses.
const LOCK_KEY = 0x7265636f;

const holder = globalThis as typeof globalThis & { __reconciling?: boolean };

export type Exclusive<T> = { ran: true; value: T } | { ran: false };

export async function runExclusively<T>(work: () => Promise<T>): Promise<Exclusive<T>> {
  if (holder.__reconciling) return { ran: false };
  holder.__reconciling = true;
  try {
    const connection = await database().sql.reserve();
    try {
      const [row] = await connection`select pg_try_advisory_lock(${LOCK_KEY}) as locked`;
      if (!row?.locked) return { ran: false };
      try {
        return { ran: true, value: await work() };
      } finally {
        await connection`select pg_advisory_unlock(${LOCK_KEY})`;
      }
    } finally {
      connection.release();
    }
  } finally {
    holder.__reconciling = false;
  }
}
