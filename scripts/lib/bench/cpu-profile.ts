import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// A V8 CPU profile (`node --cpu-prof`) of the app's server, read back: where its CPU time went,
// per request, by function (mapped through the build's source maps to the source file or package
// it came from) and how much of it the proxy took.

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

export type ProfileEntry = { name: string; where: string; ms: number };
export type ProfileSummary = {
  // CPU time sampled (idle left out), over the requests answered.
  cpuMsPerRequest: number;
  // Samples with the proxy on the stack: Next's runMiddleware, and the proxy's own bundle (its
  // code, Clerk's middleware, Next's adapter), whose async continuations carry no runMiddleware.
  proxyMsPerRequest: number;
  // Self time per request, the largest first.
  top: ProfileEntry[];
  // CPU time per request by the code it was spent for: a package or a file of the app, with what
  // Node and V8 did for it (see `charged` below).
  areas: { where: string; ms: number }[];
};

// Node writes one profile per thread (CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; tsx's
// loader has a thread of its own): the main thread's, thread 0, is the server's.
export function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) throw new Error(`no .cpuprofile in ${dir}: did the server exit?`);
  return files[0];
}

// The chunks `.next/server/middleware.js` loads: the proxy's bundle, which nothing else loads.
export function proxyChunks(root: string): Set<string> {
  const entry = path.join(root, ".next", "server", "middleware.js");
  const chunks = [...readFileSync(entry, "utf8").matchAll(/R\.c\("([^"]+)"\)/g)].map((m) =>
    path.join(root, ".next", m[1] as string),
  );
  return new Set([entry, ...chunks]);
}

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  if (!sourceMaps.has(file)) {
    const map = `${file}.map`;
    let parsed: SourceMap | null = null;
    if (existsSync(map)) {
      const payload = JSON.parse(readFileSync(map, "utf8"));
      // Maps of a few bytes say the chunk has no mappings of its own.
      if (payload.mappings) parsed = new SourceMap(payload);
    }
    sourceMaps.set(file, parsed);
  }
  return sourceMaps.get(file) ?? null;
}

const fileOf = (url: string) => (url.startsWith("file://") ? fileURLToPath(url) : url);

// Where a frame's code comes from: a package (`next`, `@clerk/backend`), the app's own source
// (`src/...`), Node (`node:...`), or V8 itself for the pseudo-frames (GC, program).
function whereOf(frame: CallFrame, root: string): string {
  if (!frame.url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  if (frame.url.startsWith("node:")) return "node";
  const file = fileOf(frame.url);
  const pkg = (text: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(text)?.[1];
  // A package's own files are that package, whatever sources its maps name.
  const installed = pkg(file);
  if (installed) return installed;
  let source = file;
  const map = sourceMapOf(file);
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
    };
    if (entry.originalSource) source = entry.originalSource;
  }
  const bundled = pkg(decodeURIComponent(source));
  // A package's own source maps may name its sources past its folder (drizzle-orm's give
  // node_modules/src/...): its name is lost.
  if (bundled) {
    return existsSync(path.join(root, "node_modules", bundled)) ? bundled : "a package (name lost)";
  }
  const app = /(?:\[project\]\/|^|\/)((?:src|scripts)\/.+?)(?:\s|$)/.exec(
    decodeURIComponent(source).replace(root, ""),
  );
  return app ? (app[1] as string) : path.relative(root, file);
}

export function summarizeProfile(
  file: string,
  options: {
    root: string;
    requests: number;
    proxyFiles: Set<string>;
    // The samples taken between these (µs of the monotonic clock, process.hrtime's, which V8's
    // timestamps share): the load, not the server's start.
    window: { from: number; to: number };
    top?: number;
  },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const inProxy = new Map<number, boolean>();
  const proxyFrame = (n: ProfileNode) =>
    n.callFrame.functionName === "runMiddleware" || options.proxyFiles.has(fileOf(n.callFrame.url));
  const underProxy = (id: number): boolean => {
    const known = inProxy.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id) as ProfileNode;
    const up = parent.get(id);
    const result = proxyFrame(node) || (up !== undefined && underProxy(up));
    inProxy.set(id, result);
    return result;
  };

  let total = 0;
  let proxy = 0;
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < options.window.from || at > options.window.to) return;
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(idle)") return;
    total += us;
    if (underProxy(id)) proxy += us;
    self.set(id, (self.get(id) ?? 0) + us);
  });

  const perRequest = (us: number) => us / 1000 / options.requests;
  const whereById = new Map<number, string>();
  const where = (id: number) => {
    let known = whereById.get(id);
    if (known === undefined) {
      known = whereOf((byId.get(id) as ProfileNode).callFrame, options.root);
      whereById.set(id, known);
    }
    return known;
  };
  // Node's and V8's own frames are charged to the code that called them (a socket write to the
  // database's client, a promise to whoever awaited it), the nearest frame from a package or
  // the app; Next's to Next.
  const runtime = (w: string) => w === "node" || w.startsWith("(");
  const charged = (id: number) => {
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      if (!runtime(where(up))) return where(up);
    }
    return where(id);
  };
  const entries = new Map<string, ProfileEntry>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id) as ProfileNode;
    const name = callFrame.functionName || "(anonymous)";
    const key = `${name}\u0000${where(id)}`;
    const entry = entries.get(key) ?? { name, where: where(id), ms: 0 };
    entry.ms += perRequest(us);
    entries.set(key, entry);
    const area = charged(id);
    areas.set(area, (areas.get(area) ?? 0) + perRequest(us));
  }
  return {
    cpuMsPerRequest: perRequest(total),
    proxyMsPerRequest: perRequest(proxy),
    top: [...entries.values()].sort((a, b) => b.ms - a.ms).slice(0, options.top ?? 15),
    areas: [...areas]
      .map(([where, ms]) => ({ where, ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, options.top ?? 15),
  };
}
