// Who sent a request and how to refer to it in logs, answers and the audit trail. Pure functions
// of the request headers, so the proxy and the handlers derive the same values.

export const REQUEST_ID_HEADER = "x-request-id";

// An incoming id is kept (a load balancer's or a client's, for tracing across systems) only when it
// is a short token that cannot smuggle anything into logs or headers.
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return incoming && WELL_FORMED_ID.test(incoming) ? incoming : crypto.randomUUID();
}

// The address of the client, as the nearest proxy saw it: the rightmost X-Forwarded-For entry.
// `next start` fills the header with the socket's address when a request arrives without one;
// behind a load balancer the balancer appends the address it saw, so entries further left are
// whatever the client chose to send and are never trusted.
export function clientAddressFrom(headers: Headers): string | null {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const last = entries.at(-1);
  if (!last) return null;
  return last.startsWith("::ffff:") ? last.slice("::ffff:".length) : last;
}
