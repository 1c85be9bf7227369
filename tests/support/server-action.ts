import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Calls a Next server action over HTTP the way the browser does: React's own Flight client
// (the copy Next ships) encodes the arguments and decodes the answer, and the action's id comes
// from the production build's manifest.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type FlightClient = {
  encodeReply(value: unknown): Promise<string | FormData>;
  createFromReadableStream(stream: ReadableStream, options: unknown): Promise<{ a: unknown }>;
};
const flight = createRequire(import.meta.url)(
  "next/dist/compiled/react-server-dom-turbopack/client.node",
) as FlightClient;

// The answer also carries the re-rendered page (after revalidatePath), whose client components
// this decoder never loads: only the action's return value is read.
const ANY_MODULE = new Proxy({}, { get: (_, id) => ({ "*": { id, chunks: [] } }) });

type Manifest = { node: Record<string, { filename: string; exportedName: string }> };

function manifest(): Manifest {
  return JSON.parse(
    readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8"),
  ) as Manifest;
}

// Every server action of the build, by id.
export function serverActionIds(): string[] {
  return Object.keys(manifest().node);
}

// A server action's arguments as the browser's React encodes them.
export function encodeActionArgs(args: unknown[]): Promise<string | FormData> {
  return flight.encodeReply(args);
}

export function serverActionId(filename: string, exportedName: string): string {
  const found = Object.entries(manifest().node).find(
    ([, a]) => a.filename === filename && a.exportedName === exportedName,
  );
  if (!found) throw new Error(`no server action ${exportedName} in ${filename} in the build`);
  return found[0];
}

type ActionCall = {
  appUrl: string;
  // The page the action is posted from, as a browser on that page would.
  page: string;
  actionId: string;
  args: unknown[];
  // A body of the caller's own instead of the encoded arguments (what no browser would send).
  body?: string;
  token: string;
  headers?: Record<string, string>;
};

// The action posted as a browser's React posts it; the answer as it comes.
export async function postServerAction(options: ActionCall): Promise<Response> {
  return fetch(`${options.appUrl}${options.page}`, {
    method: "POST",
    headers: {
      "next-action": options.actionId,
      accept: "text/x-component",
      origin: options.appUrl,
      authorization: `Bearer ${options.token}`,
      ...options.headers,
    },
    body: options.body ?? (await flight.encodeReply(options.args)),
  });
}

// The action's result, decoded; any answer but a 2xx with a body throws.
export async function callServerAction<T>(options: ActionCall): Promise<T> {
  const res = await postServerAction(options);
  if (!res.ok || !res.body) {
    throw new Error(`server action answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  const root = await flight.createFromReadableStream(res.body, {
    serverConsumerManifest: { moduleMap: ANY_MODULE, moduleLoading: null, serverModuleMap: null },
  });
  return (await root.a) as T;
}
