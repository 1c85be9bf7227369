// Who sent a request and how to refer to it in logs, answers and the audit trail. Pure functions
// of the request headers, so the proxy and the handlers derive the same values.

export const REQUEST_ID_HEADER = "x-request-id";
// When the proxy first saw the request (epoch ms), so a handler's log line covers the whole request.
export const REQUEST_START_HEADER = "x-request-start";

// An incoming id is kept (a load balancer's or a client's, for tracing across systems) only when it
// is a short token that cannot smuggle anything into logs or headers.
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return incoming && WELL_FORMED_ID.test(incoming) ? incoming : crypto.randomUUID();
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
