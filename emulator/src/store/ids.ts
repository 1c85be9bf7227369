import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps the draw uniform.
  for (const byte of bytes) {
    if (byte < 248) out += ALPHABET[byte % 62];
    if (out.length === length) return out;
  }
  return out + randomBase62(length - out.length);
}

// Clerk ids: a type prefix and 27 base62 characters (user_2g7np7Hrk0SN6kj5EDMLDaKNL0S).
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(27)}`;
}
