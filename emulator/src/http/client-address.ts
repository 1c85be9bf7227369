import type { IncomingMessage } from "node:http";
import { secretMatches } from "./bearer";

// The address of the browser behind a request. A Frontend API proxy (the app's `/__clerk`, built
// on @clerk/backend's clerkFrontendApiProxy) proves itself with the instance secret in
// `Clerk-Secret-Key` and names the browser in `X-Forwarded-For`; Clerk trusts that, and so does
// the emulator. Anyone else's X-Forwarded-For is ignored: the address is the connection's peer.
export function clientAddress(
  headers: IncomingMessage["headers"],
  peer: string | undefined,
  secretKey: string,
): string {
  const proxied = secretMatches(headerValue(headers["clerk-secret-key"]), secretKey);
  const forwarded = headerValue(headers["x-forwarded-for"])?.split(",")[0]?.trim();
  return unmapped((proxied && forwarded) || peer || "127.0.0.1");
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// Node reports IPv4 peers of a dual-stack socket as `::ffff:127.0.0.1`.
function unmapped(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}
