import { describe, expect, it } from "vitest";
import { GroupCommitFull, groupCommit } from "../../../src/db/group-commit";

// A stand-in for a database transaction over several items: each call is held until released, so
// the test decides what arrives while a batch is being written.
function heldWrites(fail?: (items: string[]) => Error | null) {
  const calls: { items: string[]; release: () => void }[] = [];
  const applyMany = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        release: () => {
          const err = fail?.(items);
          if (err) reject(err);
          else resolve(items.map((item) => `${item} stored`));
        },
      });
    });
  return { calls, applyMany };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

class DataError extends Error {
  code = "22008";
}

const options = {
  lanes: 1,
  maxBatch: 3,
  maxWaiting: 5,
  retryAlone: (err: unknown) => err instanceof DataError,
};

describe("group commit", () => {
  it("writes a lone item at once, alone, and the items that arrive meanwhile together after it", async () => {
    const { calls, applyMany } = heldWrites();
    const write = groupCommit(applyMany, options);
    const first = write("a");
    await settled();
    expect(calls.map((c) => c.items)).toEqual([["a"]]);

    const later = ["b", "c", "d", "e"].map(write);
    await settled();
    expect(calls).toHaveLength(1);
    calls[0]?.release();
    expect(await first).toBe("a stored");
    await settled();
    // At most maxBatch in one transaction; the rest in the next.
    expect(calls.map((c) => c.items)).toEqual([["a"], ["b", "c", "d"]]);
    calls[1]?.release();
    await settled();
    expect(calls.map((c) => c.items)).toEqual([["a"], ["b", "c", "d"], ["e"]]);
    calls[2]?.release();
    expect(await Promise.all(later)).toEqual(["b stored", "c stored", "d stored", "e stored"]);
  });

  it("runs up to `lanes` transactions at once", async () => {
    const { calls, applyMany } = heldWrites();
    const write = groupCommit(applyMany, { ...options, lanes: 2 });
    const all = ["a", "b", "c"].map(write);
    await settled();
    expect(calls.map((c) => c.items)).toEqual([["a"], ["b"]]);
    for (const call of calls) call.release();
    await settled();
    calls[2]?.release();
    expect(await Promise.all(all)).toEqual(["a stored", "b stored", "c stored"]);
  });

  it("retries a batch one item at a time when one of them may be at fault, so the others are stored", async () => {
    const { calls, applyMany } = heldWrites((items) =>
      items.includes("bad") ? new DataError("date out of range") : null,
    );
    const write = groupCommit(applyMany, options);
    const first = write("a");
    const batch = ["b", "bad", "c"].map((item) => write(item).catch((err: Error) => err.message));
    await settled();
    calls[0]?.release();
    await first;
    await settled();
    calls[1]?.release();
    await settled();
    expect(calls.map((c) => c.items)).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
    for (const call of calls.slice(2)) call.release();
    expect(await Promise.all(batch)).toEqual(["b stored", "date out of range", "c stored"]);
  });

  it("fails every item of a batch at once when the failure is not theirs (the database gone)", async () => {
    const { calls, applyMany } = heldWrites(() => new Error("connection refused"));
    const write = groupCommit(applyMany, options);
    const first = write("a").catch((err: Error) => err.message);
    const batch = ["b", "c"].map((item) => write(item).catch((err: Error) => err.message));
    await settled();
    calls[0]?.release();
    await settled();
    calls[1]?.release();
    expect(await first).toBe("connection refused");
    expect(await Promise.all(batch)).toEqual(["connection refused", "connection refused"]);
    expect(calls).toHaveLength(2);
  });

  it("refuses an item at once when maxWaiting items already wait, and takes items again once they are written", async () => {
    const { calls, applyMany } = heldWrites();
    const write = groupCommit(applyMany, options);
    const first = write("a");
    const waiting = ["b", "c", "d", "e", "f"].map(write);
    await expect(write("g")).rejects.toBeInstanceOf(GroupCommitFull);
    await settled();
    calls[0]?.release();
    await first;
    await settled();
    calls[1]?.release();
    await settled();
    calls[2]?.release();
    await Promise.all(waiting);
    const again = write("h");
    await settled();
    calls[3]?.release();
    expect(await again).toBe("h stored");
  });
});
