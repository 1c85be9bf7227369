// Who sent a request and how to refer to it in logs, answers and the audit trail. Pure functions
// of the request headers, so the proxy and the handlers derive the same values.

import { frontDoorRequestId } from "@/http/front-door";

export const REQUEST_ID_HEADER = "x-request-id";
// A client's own id for its request, kept beside the server's for tracing across systems.
export const CLIENT_REQUEST_ID_HEADER = "x-client-request-id";
// When the proxy first saw the request (epoch ms), so a handler's log line covers the whole request.
export const REQUEST_START_HEADER = "x-request-start";

// The request's own id: the one the server's front door gave it (scripts/lib/front-door.ts), else a
// fresh one. Never one a client sent: audit rows record it, and a chosen id could pose as another
// request's.
export function serverRequestId(): string {
  return frontDoorRequestId() ?? crypto.randomUUID();
}

// A client's (or a load balancer's) id for the request, kept as a separate field when it is a
// short token that cannot smuggle anything into logs or headers.
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function wellFormedRequestId(value: string | null): string | null {
  return value && WELL_FORMED_ID.test(value) ? value : null;
}

// Where the client's id is: behind the front door (and past the proxy), in x-client-request-id;
// without it, in the x-request-id the client sent.
export function clientRequestIdFrom(headers: Headers): string | null {
  const behindFrontDoor = frontDoorRequestId() !== undefined;
  return wellFormedRequestId(
    behindFrontDoor ? headers.get(CLIENT_REQUEST_ID_HEADER) : headers.get(REQUEST_ID_HEADER),
  );
}

// The address of the client. Every proxy in front of the app appends the address it received the
// request from to X-Forwarded-For, and so does the app's own server (scripts/serve.ts), so the
// rightmost entry is the peer that connected to the app. Behind `trustedHops` reverse proxies
// (load balancers) the client is that many entries further left; anything left of it is whatever
// the client chose to send, and is never trusted.
export function clientAddressFrom(headers: Headers, trustedHops = 0): string | null {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const entry = entries.at(-1 - Math.min(trustedHops, entries.length - 1));
  if (!entry) return null;
  return entry.startsWith("::ffff:") ? entry.slice("::ffff:".length) : entry;
}
