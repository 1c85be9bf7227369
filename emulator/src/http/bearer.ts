import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export function bearerToken(headers: IncomingMessage["headers"]): string | null {
  return /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1] ?? null;
}

export function secretMatches(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerMatches(headers: IncomingMessage["headers"], secret: string): boolean {
  return secretMatches(bearerToken(headers), secret);
}
