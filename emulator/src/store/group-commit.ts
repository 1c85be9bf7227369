// Decides when the state file is written. A change a client is told about is on disk before the
// answer goes out: `durable()` waits for the write that covers it. Writes never overlap, and every
// change made while one is under way shares the next one, so a burst of N concurrent changes costs
// a couple of writes, not N. Bookkeeping nobody waits for (an API key's last use, a webhook
// attempt) rides along with the next write, or is written after `lazyMs` at the latest.
export class GroupCommit {
  private changes = 0;
  private written = 0;
  private lazy = false;
  private lazyTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  // `write` must take its snapshot synchronously, before its first await: a write covers exactly
  // the changes made before it started.
  constructor(
    private readonly write: () => Promise<void>,
    private readonly log: (line: string) => void,
    private readonly lazyMs: number,
  ) {}

  changed(): void {
    this.changes += 1;
    // Failures are logged by `run` and reported to whoever awaits durable().
    this.flush().catch(() => {});
  }

  changedLazily(): void {
    this.lazy = true;
    if (this.lazyTimer) return;
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = null;
      this.flush().catch(() => {});
    }, this.lazyMs);
    this.lazyTimer.unref();
  }

  // Resolves once every change made so far is in the file; rejects if the write failed.
  async durable(): Promise<void> {
    const target = this.changes;
    while (this.written < target) await this.flush();
  }

  // Writes whatever is still pending, bookkeeping included: the last thing before exiting.
  async close(): Promise<void> {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    if (this.lazy || this.written < this.changes) await this.flush();
    else await this.writing?.catch(() => {});
  }

  private flush(): Promise<void> {
    this.next ??= this.run();
    return this.next;
  }

  private async run(): Promise<void> {
    // After the write under way, or, when idle, after this turn of the event loop: requests
    // handled in the same turn share the write.
    await (this.writing?.catch(() => {}) ?? new Promise((resolve) => setImmediate(resolve)));
    this.next = null;
    const covers = this.changes;
    this.lazy = false;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    const writing = this.write();
    this.writing = writing;
    try {
      await writing;
      this.written = Math.max(this.written, covers);
    } catch (err) {
      this.log(`emulator: could not save state (retrying): ${(err as Error).message}`);
      // Nothing is dropped: the next change, or the lazy timer, writes everything again.
      this.changedLazily();
      throw err;
    } finally {
      if (this.writing === writing) this.writing = null;
    }
  }
}
