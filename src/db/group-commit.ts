// Group commit: items that arrive while earlier ones are being written wait, and are then written
// together, in one transaction of `applyMany`. At most `lanes` transactions run at a time, each of
// at most `maxBatch` items. An item that finds a lane free starts at once, alone: nothing waits for
// a batch to fill, so a lone item costs what it did without batching, and a burst costs one
// transaction per batch instead of one per item.
//
// A batch that fails is tried again one item per transaction when `retryAlone` says one of its
// items may be at fault (data the database refuses, a deadlock between batches): each item then
// gets its own outcome, and one bad item does not sink the others. Any other failure (the database
// gone) is every item's answer at once.

type Waiting<I, O> = { item: I; resolve: (outcome: O) => void; reject: (err: unknown) => void };

export type GroupCommitOptions = {
  lanes: number;
  maxBatch: number;
  // Past this many waiting, an item is refused at once (GroupCommitFull): when the database
  // stalls, a flood waits in memory only this far.
  maxWaiting: number;
  retryAlone: (err: unknown) => boolean;
};

export class GroupCommitFull extends Error {
  constructor(waiting: number) {
    super(`${waiting} items are already waiting to be written`);
  }
}

export function groupCommit<I, O>(
  applyMany: (items: I[]) => Promise<O[]>,
  { lanes, maxBatch, maxWaiting, retryAlone }: GroupCommitOptions,
): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let running = 0;

  async function write(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outcomes = await applyMany(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(outcomes[i] as O);
    } catch (err) {
      if (batch.length === 1 || !retryAlone(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(
        batch.map((w) =>
          applyMany([w.item]).then(([outcome]) => w.resolve(outcome as O), w.reject),
        ),
      );
    }
  }

  async function lane(): Promise<void> {
    running++;
    try {
      while (queue.length > 0) await write(queue.splice(0, maxBatch));
    } finally {
      running--;
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      if (queue.length >= maxWaiting) return reject(new GroupCommitFull(queue.length));
      queue.push({ item, resolve, reject });
      if (running < lanes) void lane();
    });
}
