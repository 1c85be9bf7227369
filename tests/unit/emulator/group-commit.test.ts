import { describe, expect, it, vi } from "vitest";
import { GroupCommit } from "../../../emulator/src/store/group-commit";

// A stand-in for the state file: each write records the "state" (a counter) it snapshotted, and
// finishes when the test says so, or at once.
function fakeFile(options: { manual?: boolean; failures?: number } = {}) {
  let state = 0;
  let failures = options.failures ?? 0;
  const written: number[] = [];
  const pending: (() => void)[] = [];
  const commits = new GroupCommit(
    async () => {
      const snapshot = state;
      if (options.manual) await new Promise<void>((resolve) => pending.push(resolve));
      if (failures > 0) {
        failures -= 1;
        throw new Error("disk full");
      }
      written.push(snapshot);
    },
    () => {},
    20,
  );
  return {
    commits,
    written,
    change: () => {
      state += 1;
      commits.changed();
    },
    finishWrite: () => pending.shift()?.(),
    state: () => state,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommit", () => {
  it("writes a burst of concurrent changes once, and answers all of them after that write", async () => {
    const file = fakeFile();
    const answers = Array.from({ length: 100 }, () => {
      file.change();
      return file.commits.durable();
    });
    await Promise.all(answers);
    expect(file.written).toEqual([100]);
  });

  it("holds an answer until the write that covers its change has finished", async () => {
    const file = fakeFile({ manual: true });
    file.change();
    let first = false;
    const firstDurable = file.commits.durable().then(() => {
      first = true;
    });
    await tick();
    // A change made while the first write is under way waits for the next one.
    file.change();
    let second = false;
    const secondDurable = file.commits.durable().then(() => {
      second = true;
    });
    await tick();
    expect([first, second]).toEqual([false, false]);
    file.finishWrite();
    await firstDurable;
    expect(second).toBe(false);
    await tick();
    file.finishWrite();
    await secondDurable;
    expect(file.written).toEqual([1, 2]);
  });

  it("writes bookkeeping within the lazy delay, or with the next change, never on its own at once", async () => {
    const file = fakeFile();
    file.commits.changedLazily();
    await tick();
    expect(file.written).toEqual([]);
    await vi.waitFor(() => expect(file.written).toEqual([0]));

    file.commits.changedLazily();
    file.change();
    await file.commits.durable();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(file.written).toEqual([0, 1]);
  });

  it("rejects the answer when the write fails, and writes the change on the retry", async () => {
    const file = fakeFile({ failures: 1 });
    file.change();
    await expect(file.commits.durable()).rejects.toThrow("disk full");
    await vi.waitFor(() => expect(file.written).toEqual([1]));
    await expect(file.commits.durable()).resolves.toBeUndefined();
  });

  it("writes pending bookkeeping on close", async () => {
    const file = fakeFile();
    file.commits.changedLazily();
    await file.commits.close();
    expect(file.written).toEqual([0]);
  });
});
