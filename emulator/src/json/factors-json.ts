import type { PasskeyRecord, TotpRecord } from "../store/records";

// Wire shapes of the factors a user enrols in <UserProfile/>: the authenticator app and backup
// codes (`TOTP`, `BackupCodes` in the FAPI spec), and passkeys.

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

// `Client.Passkey`: while it is being registered, its verification carries the options for the
// browser's navigator.credentials.create() as `nonce` (JSON, as clerk-js parses it).
export function fapiPasskeyJSON(p: PasskeyRecord) {
  return {
    object: "passkey",
    id: p.id,
    name: p.name,
    last_used_at: p.lastUsedAt,
    verification: p.registration
      ? {
          object: "verification_passkey",
          status: "unverified",
          strategy: "passkey",
          attempts: 0,
          expire_at: p.registration.expireAt,
          nonce: p.registration.options,
        }
      : {
          object: "verification_passkey",
          status: "verified",
          strategy: "passkey",
          attempts: 1,
          expire_at: p.createdAt,
        },
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

// The Backend API's `Passkey` (registered ones only). Its `last_used_at` cannot be null: a passkey
// never used since counts from its registration, when the authenticator last signed.
export function passkeyJSON(p: PasskeyRecord) {
  return {
    object: "passkey",
    id: p.id,
    name: p.name,
    last_used_at: p.lastUsedAt ?? p.createdAt,
    verification: {
      object: "verification_passkey",
      status: "verified",
      strategy: "passkey",
      attempts: null,
      expire_at: null,
    },
  };
}
