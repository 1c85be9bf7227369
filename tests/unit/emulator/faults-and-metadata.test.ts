import { describe, expect, it } from "vitest";
import { mergeMetadata } from "../../../emulator/src/domain/metadata";
import { NO_FAULTS, parseFaults } from "../../../emulator/src/webhooks/faults";

describe("parseFaults", () => {
  it("reads every documented fault", () => {
    expect(parseFaults("duplicate, reorder=250,delay=40,fail-first")).toEqual({
      duplicate: true,
      reorderWindowMs: 250,
      delayMs: 40,
      failFirst: true,
    });
  });

  it("is off when empty", () => {
    expect(parseFaults("")).toEqual(NO_FAULTS);
  });

  it.each(["explode", "reorder", "delay=-5", "duplicate=2"])("rejects %s", (spec) => {
    expect(() => parseFaults(spec)).toThrow(/unknown webhook fault/);
  });
});

describe("mergeMetadata", () => {
  it("merges deeply and deletes keys set to null, as Clerk's metadata PATCH does", () => {
    expect(
      mergeMetadata(
        { a: 1, keep: true, nested: { x: 1, y: 2 } },
        { a: 2, nested: { y: null, z: 3 }, keep: null },
      ),
    ).toEqual({ a: 2, nested: { x: 1, z: 3 } });
  });

  it("replaces arrays rather than merging them", () => {
    expect(mergeMetadata({ tags: ["a", "b"] }, { tags: ["c"] })).toEqual({ tags: ["c"] });
  });
});
