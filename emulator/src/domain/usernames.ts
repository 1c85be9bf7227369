import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import type { UserRecord } from "../store/records";

// Usernames as a development instance takes them by default (the environment's
// `username_settings`): 4 to 64 letters, digits, `_` or `-`, not all digits, compared and kept in
// lower case.
export const USERNAME_RULES = { minLength: 4, maxLength: 64 } as const;

export function normalizedUsername(raw: string, param = "username"): string {
  const username = raw.trim().toLowerCase();
  if (username.length < USERNAME_RULES.minLength || username.length > USERNAME_RULES.maxLength) {
    throw errors.usernameInvalidLength(param, USERNAME_RULES);
  }
  if (!/^[a-z0-9_-]+$/.test(username)) throw errors.usernameInvalidCharacter(param);
  if (/^\d+$/.test(username)) throw errors.usernameNeedsNonNumber(param);
  return username;
}

export function findUserByUsername(core: Core, raw: string): UserRecord | undefined {
  return core.store.lookup("users", "username", raw.trim().toLowerCase())[0];
}
