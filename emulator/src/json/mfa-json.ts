import type { TotpRecord } from "../store/records";

// Wire shapes of the authenticator app and backup codes (`TOTP`, `BackupCodes` in the FAPI spec).

// `secret` and `uri` only while it is being set up: once verified, the secret never leaves the
// emulator again. `backup_codes`: made with the user's first second factor, shown once.
export function totpJSON(
  totp: TotpRecord,
  options: { uri: string | null; backupCodes?: string[] | null },
) {
  return {
    object: "totp",
    id: totp.id,
    secret: totp.verified ? null : totp.secret,
    uri: totp.verified ? null : options.uri,
    verified: totp.verified,
    backup_codes: options.backupCodes ?? null,
    created_at: totp.createdAt,
    updated_at: totp.updatedAt,
  };
}

export function backupCodesJSON(
  record: { id: string; createdAt: number; updatedAt: number },
  codes: string[],
) {
  return {
    object: "backup_code",
    id: record.id,
    codes,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}
