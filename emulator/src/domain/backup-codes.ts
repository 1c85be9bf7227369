import { createHash, randomInt } from "node:crypto";
import type { Core } from "../core";
import { newId } from "../store/ids";
import type { BackupCodesRecord, UserRecord } from "../store/records";

// Backup codes: ten one-time codes of eight lowercase letters and digits (Clerk's format), shown once
// when made. Only their hashes are kept; using one removes it.

const COUNT = 10;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

const hash = (code: string) => createHash("sha256").update(code).digest("hex");

function newCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

// A fresh set, replacing any earlier one (whose codes stop working).
export function makeBackupCodes(
  core: Core,
  user: UserRecord,
): { record: BackupCodesRecord; codes: string[] } {
  const codes = Array.from({ length: COUNT }, newCode);
  const now = core.now();
  const record: BackupCodesRecord = {
    id: user.backupCodes?.id ?? newId("bcode"),
    codeHashes: codes.map(hash),
    createdAt: user.backupCodes?.createdAt ?? now,
    updatedAt: now,
  };
  user.backupCodes = record;
  return { record, codes };
}

// Uses up the code if it is one of the user's.
export function consumeBackupCode(core: Core, user: UserRecord, code: string): boolean {
  const record = user.backupCodes;
  const wanted = hash(code.trim().toLowerCase());
  if (!record?.codeHashes.includes(wanted)) return false;
  record.codeHashes = record.codeHashes.filter((h) => h !== wanted);
  record.updatedAt = core.now();
  core.store.save();
  return true;
}
