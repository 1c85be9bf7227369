// The app's HTTP server, behind `npm run dev` and `npm start` (the launcher runs it): Next's own
// request handler, as `next dev` and `next start` use it, behind a front door for what Next
// offers no hook for.
// - TRACE and TRACK cannot even be represented as a fetch Request, so Next answers them with a
//   500 before the proxy runs, and CONNECT gets its connection dropped: all three get a 405
//   problem here.
// - The address the request came from is appended to X-Forwarded-For, as every proxy does: `next
//   start` keeps whatever a client sent there, which would let it choose its own address for the
//   rate limits (src/http/request-identity.ts reads it back).
// - A request target (path and query) over 8,000 bytes gets a 414 problem: Next answers a path
//   it redirects (a trailing slash) with the whole URL twice in the headers (Location and
//   Refresh), past the 16 KiB of headers clients read (Node's fetch fails "Headers Overflow").
// - Slow clients cannot hold a connection open indefinitely.
// - What else each request gets around Next's handler (503 instead of a 500 for a service that did
//   not answer, a deadline on every answer, no `x-middleware-*` headers out, no absolute-form
//   request lines in): scripts/lib/front-door.ts.
// - SIGTERM (a deploy replacing this instance) stops it gracefully: no new connection is accepted
//   (a load balancer's next connection and health check find it gone), the requests in flight
//   are answered, each with `Connection: close`, idle connections are closed, and the process
//   exits once none is left, or after DRAIN_MS whatever remains.
// Usage: node --import tsx scripts/serve.ts dev|start (PORT, HOST; the app's variables in the
// environment)
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import next from "next";
import { RESPONSE_DEADLINE_MS, serveThroughFrontDoor } from "./lib/front-door";

const UNREPRESENTABLE_METHODS = new Set(["TRACE", "TRACK"]);

const dev = process.argv[2] === "dev";
const port = Number(process.env.PORT ?? 3000);
// Unset: every interface (IPv6 and IPv4), as `next start` listens.
const host = process.env.HOST || undefined;

const ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
// RFC 9110's recommended minimum, and twice it (a redirect's two copies) fits in 16 KiB.
const MAX_REQUEST_TARGET = 8_000;

// Longer than any answer may take (the front door answers 503 after RESPONSE_DEADLINE_MS).
const DRAIN_MS = RESPONSE_DEADLINE_MS + 1_000;

function methodNotAllowedBody(method: string | undefined, requestId: string): string {
  return JSON.stringify({
    type: "/problems/method-not-allowed",
    title: "Method not allowed",
    status: 405,
    detail: `${method} is not served here.`,
    instance: requestId,
  });
}

function problem(
  res: ServerResponse,
  status: number,
  body: (requestId: string) => string,
  headers: Record<string, string> = {},
) {
  const requestId = randomUUID();
  const text = body(requestId);
  res.writeHead(status, {
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
    "x-request-id": requestId,
  });
  res.end(text);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse) {
  problem(res, 405, (id) => methodNotAllowedBody(req.method, id), { allow: ALLOW });
}

function uriTooLong(res: ServerResponse) {
  problem(res, 414, (id) =>
    JSON.stringify({
      type: "/problems/uri-too-long",
      title: "URI too long",
      status: 414,
      detail: `The request's path and query are over ${MAX_REQUEST_TARGET} bytes.`,
      instance: id,
    }),
  );
}

// CONNECT never reaches the request handler: Node hands over the raw socket.
function refuseConnect(req: IncomingMessage, socket: Duplex) {
  const requestId = randomUUID();
  const body = methodNotAllowedBody(req.method, requestId);
  socket.end(
    [
      "HTTP/1.1 405 Method Not Allowed",
      "content-type: application/problem+json",
      `allow: ${ALLOW}`,
      `x-request-id: ${requestId}`,
      `content-length: ${Buffer.byteLength(body)}`,
      "connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}

// A production build runs with the configuration it was built with, as Next's own standalone
// server runs it: the build wrote it out, and the standalone folder (scripts/lib/standalone.ts)
// has no next.config.ts to read.
function loadBuiltConfig(dir: string) {
  const files = path.join(dir, ".next", "required-server-files.json");
  const { config } = JSON.parse(readFileSync(files, "utf8")) as { config: unknown };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}

async function main() {
  if (!dev) loadBuiltConfig(process.cwd());
  // `hostname` is the name Next builds request URLs with, not where it listens: Clerk rewrites
  // each request to its own URL on that name, and Next would proxy a rewrite to any other name
  // over HTTP as if it were another site.
  const app = next({
    dev,
    // As `next dev` does by default.
    ...(dev && { turbopack: true }),
    dir: process.cwd(),
    hostname: "localhost",
    port,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  // The answers not yet begun, to close their connections once answered when the server stops.
  const pending = new Set<ServerResponse>();
  let stopping = false;
  const server = createServer((req, res) => {
    if (stopping) res.shouldKeepAlive = false;
    else {
      pending.add(res);
      res.once("close", () => {
        pending.delete(res);
        // Its connection may be idle now: while stopping, none is kept.
        if (stopping) setImmediate(() => server.closeIdleConnections());
      });
    }
    if (UNREPRESENTABLE_METHODS.has(req.method ?? "")) return methodNotAllowed(req, res);
    if ((req.url ?? "").length > MAX_REQUEST_TARGET) return uriTooLong(res);
    const peer = req.socket.remoteAddress;
    if (peer) {
      const forwarded = req.headers["x-forwarded-for"];
      req.headers["x-forwarded-for"] = forwarded ? `${forwarded}, ${peer}` : peer;
    }
    serveThroughFrontDoor(req, res, () => handle(req, res), dev ? null : RESPONSE_DEADLINE_MS);
  });
  server.on("connect", refuseConnect);
  // Headers within 10 s and the whole request within 30 s: the API's bodies are small.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // An idle connection is kept longer than clients and load balancers keep theirs (60 s is
  // common): the side that closes is theirs, never ours just as they send a request on it (a
  // reset). Node's 5 s default races even fetch's own 4 s on a busy server, whose timers fire
  // before it reads the request that arrived in time.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host, () => {
    console.log(`serve: listening on ${host ?? "every interface"}, port ${port}`);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;
    console.log(`serve: stopping; answering ${pending.size} request(s) in flight`);
    server.close(() => {
      console.log(`serve: stopped after ${Date.now() - started} ms`);
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      console.log(`serve: ${pending.size} request(s) unanswered after ${DRAIN_MS} ms; exiting`);
      process.exit(0);
    }, DRAIN_MS).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
