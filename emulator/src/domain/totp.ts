import { Secret, TOTP } from "otpauth";
import type { Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { TotpRecord, UserRecord } from "../store/records";
import { offeredSettings } from "./instance-settings";
import {
  afterSecondFactorAdded,
  afterSecondFactorRemoved,
  assertSecondFactorRemovable,
} from "./second-factors";

// The authenticator app (TOTP, RFC 6238, with the `otpauth` package): SHA-1, 6 digits, 30-second
// steps, as Clerk's and every authenticator app's default. A code of the step before or after is
// accepted (clock drift), and no step's code is accepted twice.

const PERIOD_SECONDS = 30;

function totpOf(record: TotpRecord, label = "") {
  return new TOTP({
    issuer: "",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(record.secret),
  });
}

// The otpauth:// URI an authenticator app reads from the QR code <UserProfile/> shows.
export function totpUri(record: TotpRecord, issuer: string, account: string): string {
  const totp = totpOf(record, account);
  totp.issuer = issuer;
  return totp.toString();
}

// Checks a code against the user's secret at time `now`; on success the step is used up.
export function checkTotpCode(record: TotpRecord, code: string, now: number): boolean {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return false;
  const totp = totpOf(record);
  const delta = totp.validate({ token, timestamp: now, window: 1 });
  if (delta === null) return false;
  const step = totp.counter({ timestamp: now }) + delta;
  if (record.lastUsedStep !== null && step <= record.lastUsedStep) return false;
  record.lastUsedStep = step;
  return true;
}

// `user.createTOTP()`: a new secret, unverified until a code from the app is entered. Asking again
// before that replaces it; a verified one must be removed first.
export function createTotp(ctx: Ctx, user: UserRecord): TotpRecord {
  if (!offeredSettings(ctx.core).second_factors.totp) {
    throw errors.notAllowed("Authenticator apps are not enabled on this application.");
  }
  if (user.totp?.verified) throw errors.duplicateRecord("authenticator app (TOTP)", 400);
  const now = ctx.core.now();
  const record: TotpRecord = {
    id: newId("totp"),
    secret: new Secret({ size: 20 }).base32,
    verified: false,
    lastUsedStep: null,
    createdAt: now,
    updatedAt: now,
  };
  user.totp = record;
  ctx.core.store.save();
  return record;
}

// `user.verifyTOTP({ code })`: the first code from the app enables it. Answers the backup codes
// made if this was the user's first second factor (shown once).
export function verifyTotp(
  ctx: Ctx,
  user: UserRecord,
  code: string,
): { totp: TotpRecord; backupCodes: string[] | null } {
  const record = user.totp;
  if (!record) throw errors.paramInvalid("code", "needs an authenticator app: create one first");
  if (record.verified) throw errors.paramInvalid("code", "is not needed: already verified");
  if (!checkTotpCode(record, code, ctx.core.now())) {
    ctx.core.store.save();
    throw errors.codeIncorrect();
  }
  record.verified = true;
  record.updatedAt = ctx.core.now();
  return { totp: record, backupCodes: afterSecondFactorAdded(ctx, user) };
}

export function removeTotp(ctx: Ctx, user: UserRecord): TotpRecord {
  const record = user.totp;
  if (!record) throw errors.notFound("authenticator app (TOTP)");
  if (record.verified) assertSecondFactorRemovable(ctx, user);
  user.totp = null;
  if (record.verified) afterSecondFactorRemoved(ctx, user);
  else ctx.core.store.save();
  return record;
}
