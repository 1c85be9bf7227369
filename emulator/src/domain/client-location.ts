import { isIP } from "node:net";

// Where a session's address is. The emulator has no geolocation database (it runs offline), so it
// names only what an address itself says: this machine, or a private network.
export function describeAddress(address: string): { city?: string; country?: string } {
  if (isIP(address) === 0) return {};
  if (/^(127\.|::1$)/.test(address)) return { country: "This machine" };
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd][0-9a-f]{2}:|fe80:)/i.test(address)) {
    return { country: "Private network" };
  }
  return {};
}
