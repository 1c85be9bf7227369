// What scripts/serve.ts does with each request around Next's handler, for what Next offers no
// hook for:
// - a request line in absolute form (`GET http://elsewhere/x HTTP/1.1`) is served as its path
//   only: Next would otherwise build redirects to the host it names;
// - a page that failed because a service it needs did not answer (the app marks it: see
//   src/http/front-door.ts) answers 503 with Retry-After and a small page, not Next's 500;
// - an answer that has not begun within RESPONSE_DEADLINE_MS is given as that 503 (a problem for
//   the API), whatever Next is still waiting for (a frozen database holds a query forever: the
//   server-side statement timeout cannot fire on a server that does not run);
// - Next's internal `x-middleware-*` headers never leave the server;
// - a request target longer than MAX_TARGET_LENGTH is refused (414): Next would answer one with a
//   trailing slash with a redirect carrying it twice (Location and Refresh), past what clients
//   accept in an answer's headers;
// - a client that goes away before its answer is complete is a closed connection, not an
//   uncaught exception (quietWhenAborted).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import { type FrontDoorRequest, openFrontDoor } from "../../src/http/front-door";
import { RETRY_AFTER_SECONDS, UNAVAILABLE_PAGE } from "../../src/http/unavailable-page";
import { logger } from "../../src/observability/logger";

// Past the app's own bounds (Clerk 5 s, an API operation 8 s), within any client's patience.
export const RESPONSE_DEADLINE_MS = 9_000;
// No route of the app takes a longer path and query.
export const MAX_TARGET_LENGTH = 8 * 1024;

const requests = new AsyncLocalStorage<FrontDoorRequest>();
openFrontDoor(requests);

// Node's own methods, for the answer the front door writes itself (loosely typed: their overloads
// are passed through as they were called).
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;
const { writeHead, write, end, flushHeaders } = ServerResponse.prototype as unknown as Record<
  "writeHead" | "write" | "end" | "flushHeaders",
  Method
>;

// The headers of Next's answer that describe its body, dropped when the front door replaces it.
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "etag", "vary"];

function isInternal(name: string): boolean {
  return name.toLowerCase().startsWith("x-middleware-");
}

// A client that disconnects before its answer is complete makes Node destroy the request with an
// "aborted" error (ECONNRESET). Next hands a request with a body to the proxy through a copy, and
// then puts the copy in the request's place by copying its methods and its table of listeners
// onto the request (replaceRequestBody in next/dist/server/body-streams.js): whatever listened
// for errors before is gone, so that error, emitted with nobody listening, became an uncaught
// exception (`uncaughtException: Error: aborted` in the server's log) whenever a browser left
// while a request with a body was still being answered. Destroying the request with an error now
// makes sure something hears it: the answer's socket is gone, there is nothing left to do.
export function quietWhenAborted(req: IncomingMessage): void {
  let destroy = req.destroy;
  Object.defineProperty(req, "destroy", {
    configurable: true,
    enumerable: true,
    get: () => (err?: Error) => {
      if (err && req.listenerCount("error") === 0) req.once("error", () => {});
      return destroy.call(req, err);
    },
    // Next's copy puts its own `destroy` here; it is the one called, heard.
    set: (replacement: IncomingMessage["destroy"]) => {
      destroy = replacement;
    },
  });
}

// `GET http://host/path` -> `/path`; anything else as it came.
export function originForm(target: string): string {
  if (target.startsWith("/") || target === "*") return target;
  if (!URL.canParse(target)) return "/";
  const url = new URL(target);
  return `${url.pathname}${url.search}`;
}

function unavailableBody(req: IncomingMessage, reason: string) {
  const path = req.url ?? "/";
  if (!path.startsWith("/api/")) {
    return { type: "text/html; charset=utf-8", body: UNAVAILABLE_PAGE };
  }
  const body = JSON.stringify({
    type: "/problems/service-unavailable",
    title: "Service unavailable",
    status: 503,
    detail:
      reason === "deadline"
        ? "The request took too long. Try again shortly."
        : "A service this request needs is not answering. Try again shortly.",
    instance: req.headers["x-request-id"],
  });
  return { type: "application/problem+json", body };
}

// `deadlineMs`: null in development, where a page's first request compiles it.
export function serveThroughFrontDoor(
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
  deadlineMs: number | null,
): void {
  req.url = originForm(req.url ?? "/");
  quietWhenAborted(req);
  // The request's id is the server's; what the client sent as its id travels beside it.
  const request: FrontDoorRequest = { id: randomUUID(), unavailable: null };
  const clientId = req.headers["x-request-id"];
  delete req.headers["x-client-request-id"];
  if (typeof clientId === "string") req.headers["x-client-request-id"] = clientId;
  req.headers["x-request-id"] = request.id;
  if (req.url.length > MAX_TARGET_LENGTH) {
    const body = JSON.stringify({
      type: "/problems/uri-too-long",
      title: "URI too long",
      status: 414,
      detail: `The path and query must be at most ${MAX_TARGET_LENGTH} characters.`,
      instance: request.id,
    });
    res.writeHead(414, {
      "content-type": "application/problem+json",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      "x-request-id": request.id,
    });
    res.end(body);
    return;
  }
  let replaced = false;

  const answerUnavailable = (reason: string) => {
    replaced = true;
    const { type, body } = unavailableBody(req, reason);
    for (const name of BODY_HEADERS) res.removeHeader(name);
    writeHead.call(res, 503, {
      "x-request-id": request.id,
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      "retry-after": String(RETRY_AFTER_SECONDS),
    });
    end.call(res, body);
    logger.warn(
      { request_id: request.id, path: req.url, status: 503, reason },
      "answered 503: a service the request needs did not answer",
    );
  };
  // Just before the first byte of Next's answer: drop what must not leave, and answer 503
  // instead of a 500 the app marked as a service's failure. True when replaced.
  const beforeHead = (status: number): boolean => {
    for (const name of res.getHeaderNames()) if (isInternal(name)) res.removeHeader(name);
    if (status !== 500 || request.unavailable === null) return false;
    answerUnavailable(request.unavailable);
    return true;
  };

  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (replaced || (!this.headersSent && beforeHead(status))) return this;
    const headers = rest.find((r): r is OutgoingHttpHeaders => typeof r === "object" && !!r);
    if (headers && !Array.isArray(headers)) {
      for (const name of Object.keys(headers)) if (isInternal(name)) delete headers[name];
    }
    return writeHead.call(this, status, ...rest);
  } as ServerResponse["writeHead"];
  res.flushHeaders = function (this: ServerResponse) {
    if (replaced || (!this.headersSent && beforeHead(this.statusCode))) return;
    flushHeaders.call(this);
  };
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (replaced || (!this.headersSent && beforeHead(this.statusCode))) {
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }
    return write.call(this, chunk, ...rest);
  } as ServerResponse["write"];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (replaced || (!this.headersSent && beforeHead(this.statusCode))) {
      const done = args.find((r) => typeof r === "function") as (() => void) | undefined;
      if (done) process.nextTick(done);
      return this;
    }
    return end.apply(this, args);
  } as ServerResponse["end"];

  if (deadlineMs !== null) {
    const deadline = setTimeout(() => {
      // Once the I/O that had arrived is handled: on a busy server the answer may be in it.
      setImmediate(() => {
        if (replaced || res.headersSent || res.writableEnded) return;
        request.unavailable ??= "deadline";
        answerUnavailable("deadline");
      });
    }, deadlineMs);
    res.once("close", () => clearTimeout(deadline));
  }

  requests.run(request, () => void handle());
}
