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
  // Handlers take the queue when a client connects, so it is replaced before any can.
  (server as unknown as { queryQueue: ExtendedQueryQueue }).queryQueue = new ExtendedQueryQueue(db);
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

type QueuedMessage = { message: Uint8Array; onData: (data: Uint8Array) => void };
type Batch = {
  handlerId: number;
  messages: QueuedMessage[];
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
};

// Extended-protocol messages answered only at the next Sync or Flush; any other message ends a
// batch. After a Flush the client reads the answers and goes on with the same unnamed statement.
const PARSE = 0x50;
const BIND = 0x42;
const DESCRIBE = 0x44;
const EXECUTE = 0x45;
const CLOSE = 0x43;
const FLUSH = 0x48;
const PENDING_UNTIL_SYNC = new Set([PARSE, BIND, DESCRIBE, EXECUTE, CLOSE]);

// Stands in for @electric-sql/pglite-socket 0.2.17's query queue (same methods), which interleaves
// clients message by message. All clients share PGlite's one session, so one client's Parse ran
// between another's Parse and Bind overwrote its unnamed statement: "portal \"\" does not exist",
// or rows decoded with another query's columns (postgres.js, as drizzle uses it, describes a
// query with Parse/Describe/Flush, then runs it with Bind/Execute/Sync). This queue runs a
// client's messages up to a Sync or Flush as one batch, and after a Flush, or inside a
// transaction, runs only that client until it is done, so whole exchanges never interleave.
class ExtendedQueryQueue {
  private readonly pending = new Map<number, QueuedMessage[]>();
  private readonly ready: Batch[] = [];
  private processing = false;
  // The client between a Flush and its Sync, or inside a transaction, whom the session waits for.
  private reservedFor: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    const messages = this.pending.get(handlerId) ?? [];
    messages.push({ message, onData });
    // The socket handler passes one message at a time and waits for each: a message that a
    // later Sync completes is accepted at once, and answered when its batch runs.
    if (PENDING_UNTIL_SYNC.has(message[0] ?? 0)) {
      this.pending.set(handlerId, messages);
      return Promise.resolve(0);
    }
    this.pending.delete(handlerId);
    return new Promise((resolve, reject) => {
      this.ready.push({ handlerId, messages, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.ready.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.pending.delete(handlerId);
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const batch = this.ready[i] as Batch;
      if (batch.handlerId !== handlerId) continue;
      this.ready.splice(i, 1);
      batch.reject(new Error("Handler disconnected"));
    }
  }

  // A client that disconnects inside its transaction must not leave it open for everyone.
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.reservedFor !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    this.reservedFor = null;
    await this.process();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index =
          this.reservedFor === null
            ? 0
            : this.ready.findIndex((b) => b.handlerId === this.reservedFor);
        // Reserved for a client that has sent nothing yet: wait for its next batch.
        if (index === -1 || this.ready.length === 0) return;
        const [batch] = this.ready.splice(index, 1) as [Batch];
        let bytes = 0;
        try {
          await this.db.runExclusive(async () => {
            for (const { message, onData } of batch.messages) {
              await this.db.execProtocolRawStream(message, {
                onRawData: (data) => {
                  bytes += data.length;
                  onData(data);
                },
              });
            }
          });
        } catch (err) {
          batch.reject(err);
          continue;
        }
        const flushed = batch.messages.at(-1)?.message[0] === FLUSH;
        this.reservedFor = flushed || this.db.isInTransaction() ? batch.handlerId : null;
        batch.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }
}
