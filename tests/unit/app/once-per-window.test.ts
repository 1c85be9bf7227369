import { describe, expect, it } from "vitest";
import { oncePerWindow } from "@/billing/once-per-window";

// The window that bounds how often a plan refusal reads an organization's plan again from Clerk
// (src/billing/organization-plan.ts), on a clock the test moves.
function clocked(windowMs: number) {
  let t = 1_000_000;
  const once = oncePerWindow<string>(windowMs, () => t);
  const calls: string[] = [];
  const ask = (key: string, answer: string) =>
    once(key, async () => {
      calls.push(key);
      return answer;
    });
  return { ask, calls, advance: (ms: number) => (t += ms) };
}

describe("oncePerWindow", () => {
  it("asks once per key within the window and gives every caller that answer", async () => {
    const { ask, calls, advance } = clocked(10_000);
    const answers = await Promise.all(Array.from({ length: 20 }, () => ask("org_a", "free")));
    expect(answers).toEqual(Array(20).fill("free"));
    advance(9_999);
    expect(await ask("org_a", "team")).toBe("free");
    expect(calls).toEqual(["org_a"]);
  });

  it("asks again once the window has passed", async () => {
    const { ask, calls, advance } = clocked(10_000);
    expect(await ask("org_a", "free")).toBe("free");
    advance(10_000);
    expect(await ask("org_a", "team")).toBe("team");
    expect(await ask("org_a", "business")).toBe("team");
    expect(calls).toEqual(["org_a", "org_a"]);
  });

  it("keeps each key's window apart", async () => {
    const { ask, calls, advance } = clocked(10_000);
    await ask("org_a", "free");
    advance(5_000);
    expect(await ask("org_b", "team")).toBe("team");
    advance(5_000);
    // org_a's window is over, org_b's is not.
    expect(await ask("org_a", "team")).toBe("team");
    expect(await ask("org_b", "business")).toBe("team");
    expect(calls).toEqual(["org_a", "org_b", "org_a"]);
  });

  it("shares an answer still in flight", async () => {
    const once = oncePerWindow<string>(10_000);
    let release: (value: string) => void = () => {};
    let asked = 0;
    const ask = () =>
      once("org_a", () => {
        asked += 1;
        return new Promise<string>((resolve) => {
          release = resolve;
        });
      });
    const first = ask();
    const second = ask();
    release("team");
    expect(await Promise.all([first, second])).toEqual(["team", "team"]);
    expect(asked).toBe(1);
  });
});
