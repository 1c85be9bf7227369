import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mainThreadProfile, summarizeProfile } from "../../../scripts/lib/bench/cpu-profile";

// `npm run profile` reads a V8 CPU profile back (scripts/lib/bench/cpu-profile.ts): a small one
// written here, with a proxy chunk, a route chunk and Node's own frames.

const dir = mkdtempSync(path.join(os.tmpdir(), "cpu-profile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = "/app";
const chunk = (name: string) => `file://${root}/.next/server/chunks/${name}`;
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: "0" },
  children,
});

// 1 ms samples: before the window, idle, the proxy and Node's crypto under it, the route handler
// and a socket write it made, the garbage collector.
const profile = {
  nodes: [
    frame(1, "(root)", "", [2, 5, 7, 8]),
    frame(2, "runMicrotasks", "", [3]),
    frame(3, "gate", chunk("proxy.js"), [4]),
    frame(4, "digest", "node:internal/crypto/hash"),
    frame(5, "GET", chunk("route.js"), [6]),
    frame(6, "writev", ""),
    frame(7, "(idle)", ""),
    frame(8, "(garbage collector)", ""),
  ],
  startTime: 1_000_000,
  endTime: 1_010_000,
  samples: [5, 3, 4, 4, 5, 6, 6, 6, 7, 8],
  timeDeltas: Array(10).fill(1_000),
};

writeFileSync(path.join(dir, "CPU.20260101.000000.42.1.002.cpuprofile"), "{}");
const file = path.join(dir, "CPU.20260101.000000.42.0.001.cpuprofile");
writeFileSync(file, JSON.stringify(profile));

const summary = summarizeProfile(file, {
  root,
  requests: 2,
  proxyFiles: new Set([`${root}/.next/server/chunks/proxy.js`]),
  // The first sample (at 1,001,000 µs) is the server's start, outside the load.
  window: { from: 1_001_500, to: 1_010_000 },
});

describe("a CPU profile read back", () => {
  it("reads the main thread's profile, not a worker's", () => {
    expect(mainThreadProfile(dir)).toBe(file);
  });

  it("counts CPU time per request inside the window only, idle left out", () => {
    // 8 samples in the window, one idle: 8 ms over 2 requests.
    expect(summary.cpuMsPerRequest).toBe(4);
  });

  it("counts as the proxy's what ran with the proxy's bundle on the stack", () => {
    expect(summary.proxyMsPerRequest).toBe(1.5);
  });

  it("charges Node's own work to the code that asked for it", () => {
    const spent = Object.fromEntries(summary.areas.map((a) => [a.where, a.ms]));
    expect(spent).toEqual({
      ".next/server/chunks/proxy.js": 1.5,
      ".next/server/chunks/route.js": 2,
      "(garbage collector)": 0.5,
    });
    expect(summary.top[0]).toEqual({ name: "writev", where: "(native)", ms: 1.5 });
  });
});
