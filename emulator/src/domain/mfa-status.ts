import type { PasskeyRecord, PhoneNumberRecord, UserRecord } from "../store/records";

// Where a user's two-step verification stands, as the user JSON of both APIs reports it
// (`two_factor_enabled`, `totp_enabled`, `backup_code_enabled`). Changes are in second-factors.ts.

// The numbers a user's SMS second factor goes to: verified and reserved for it, the default first.
export function secondFactorPhoneNumbers(user: UserRecord): PhoneNumberRecord[] {
  return user.phoneNumbers
    .filter((p) => p.verified && p.reservedForSecondFactor)
    .sort((a, b) => Number(b.defaultSecondFactor) - Number(a.defaultSecondFactor));
}

export const totpEnabled = (user: UserRecord) => user.totp?.verified === true;

export const secondFactorCount = (user: UserRecord) =>
  Number(totpEnabled(user)) + secondFactorPhoneNumbers(user).length;

export const twoFactorEnabled = (user: UserRecord) => secondFactorCount(user) > 0;

export const backupCodesEnabled = (user: UserRecord) =>
  twoFactorEnabled(user) && (user.backupCodes?.codeHashes.length ?? 0) > 0;

// The passkeys a user can sign in with (a registration left unfinished is none).
export const registeredPasskeys = (user: UserRecord) =>
  user.passkeys.filter((p): p is PasskeyRecord & { credentialId: string; publicKey: string } =>
    Boolean(p.credentialId && p.publicKey),
  );
