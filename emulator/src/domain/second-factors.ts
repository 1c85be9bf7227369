import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import type { UserRecord } from "../store/records";
import { consumeBackupCode, makeBackupCodes } from "./backup-codes";
import { offeredSettings } from "./instance-settings";
import { secondFactorCount, totpEnabled, twoFactorEnabled } from "./mfa-status";
import { checkTotpCode } from "./totp";
import { touchUser } from "./users";

// A user's two-step verification: an authenticator app (domain/totp.ts) and phone numbers reserved
// for SMS codes (domain/phone-numbers.ts) are second factors; backup codes (domain/backup-codes.ts)
// only go with one of them. The first second factor enables MFA (and makes backup codes, where the
// instance has them); removing the last one disables it and drops the backup codes, as with Clerk.

// Called once a second factor has been added to `user`: answers the backup codes made for them
// (with the first second factor, where the user will see them), else null. Emits `user.updated`.
export function afterSecondFactorAdded(
  ctx: Ctx,
  user: UserRecord,
  options: { backupCodes: boolean } = { backupCodes: true },
): string[] | null {
  const first = secondFactorCount(user) === 1;
  const withBackupCodes =
    first &&
    options.backupCodes &&
    offeredSettings(ctx.core).second_factors.backup_code &&
    user.backupCodes === null;
  const codes = withBackupCodes ? makeBackupCodes(ctx.core, user).codes : null;
  touchUser(ctx, user, first ? { mfaEnabledAt: ctx.core.now() } : {});
  return codes;
}

// Called once a second factor has gone: without one left, MFA is off and the backup codes go too.
export function afterSecondFactorRemoved(ctx: Ctx, user: UserRecord) {
  if (twoFactorEnabled(user)) return touchUser(ctx, user);
  touchUser(ctx, user, { backupCodes: null, mfaDisabledAt: ctx.core.now() });
}

// Where the instance requires MFA, a user keeps at least one second factor (<UserProfile/> offers
// no "Remove" for the last one).
export function assertSecondFactorRemovable(ctx: Ctx, user: UserRecord) {
  if (offeredSettings(ctx.core).requirements.mfa_required && secondFactorCount(user) <= 1) {
    throw errors.notAllowed(
      "Two-step verification is required on this application: add another method before removing this one.",
    );
  }
}

// Backup codes made again by the user (`user.createBackupCode()`), which needs a second factor.
export function regenerateBackupCodes(ctx: Ctx, user: UserRecord) {
  if (!offeredSettings(ctx.core).second_factors.backup_code) {
    throw errors.notAllowed("Backup codes are not enabled on this application.");
  }
  if (!twoFactorEnabled(user)) {
    throw errors.notAllowed("Backup codes need another two-step verification method first.");
  }
  const made = makeBackupCodes(ctx.core, user);
  touchUser(ctx, user);
  return made;
}

// The Backend API's `disableUserMFA`: every second factor goes (the authenticator app, the numbers'
// reservation for SMS codes) with the backup codes. An administrator may do this even where MFA
// is required: the user is then asked to set it up again (the `setup-mfa` session task).
export function disableMfa(ctx: Ctx, user: UserRecord) {
  const had = twoFactorEnabled(user);
  user.totp = null;
  for (const phone of user.phoneNumbers) {
    phone.reservedForSecondFactor = false;
    phone.defaultSecondFactor = false;
  }
  if (had) afterSecondFactorRemoved(ctx, user);
  else touchUser(ctx, user, { backupCodes: null });
}

// The Backend API's `deleteUserTOTP` and `deleteUserBackupCodes`.
export function deleteTotpAsAdmin(ctx: Ctx, user: UserRecord) {
  const had = user.totp?.verified === true;
  user.totp = null;
  if (had) afterSecondFactorRemoved(ctx, user);
  else ctx.core.store.save();
}

export function deleteBackupCodesAsAdmin(ctx: Ctx, user: UserRecord) {
  touchUser(ctx, user, { backupCodes: null });
}

// A code from the user's authenticator app, or one of their backup codes (used up), as a sign-in's
// or a reverification's second step.
export function checkSecondFactorCode(
  core: Core,
  user: UserRecord,
  attempt: { strategy: "totp" | "backup_code"; code: string },
): boolean {
  if (attempt.strategy === "backup_code") return consumeBackupCode(core, user, attempt.code);
  const ok =
    totpEnabled(user) && user.totp !== null && checkTotpCode(user.totp, attempt.code, core.now());
  core.store.save();
  return ok;
}
