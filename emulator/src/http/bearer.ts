import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export function bearerToken(headers: IncomingMessage["headers"]): string | null {
  return /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1] ?? null;
}

export function bearerMatches(headers: IncomingMessage["headers"], secret: string): boolean {
  const token = bearerToken(headers);
  if (!token) return false;
  const given = Buffer.from(token);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
