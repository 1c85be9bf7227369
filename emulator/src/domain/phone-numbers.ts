import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { PhoneNumberRecord, UserRecord } from "../store/records";
import { normalizedPhoneNumber, stripPhoneFormatting } from "./e164";
import { checkCode } from "./email-codes";
import { offeredSettings } from "./instance-settings";
import { secondFactorPhoneNumbers } from "./mfa-status";
import {
  afterSecondFactorAdded,
  afterSecondFactorRemoved,
  assertSecondFactorRemovable,
} from "./second-factors";
import { sendSmsCode } from "./sms-codes";
import { assertUnique, getUser, touchUser } from "./users";

// A user's phone numbers, as email-addresses.ts has their addresses: the Backend API's
// /phone_numbers manages them directly, a user in <UserProfile/> adds one unverified and verifies it
// with the code texted to it (the mailbox is the SMS outbox). Only a verified number becomes
// primary, signs its owner in, or is reserved for the second factor. Each change is a user change:
// a new updated_at and a `user.updated` event.

// A lookup by number, verified or not; only a verified one signs its owner in.
export function findUserByPhoneNumber(
  core: Core,
  raw: string,
  options: { verifiedOnly?: boolean } = {},
): UserRecord | undefined {
  const phone = stripPhoneFormatting(raw);
  return core.store
    .lookup("users", "phone", phone)
    .find((u) =>
      u.phoneNumbers.some((p) => p.phoneNumber === phone && (p.verified || !options.verifiedOnly)),
    );
}

export function findPhoneNumber(core: Core, id: string) {
  const [user] = core.store.lookup("users", "phoneNumberId", id);
  const phone = user?.phoneNumbers.find((p) => p.id === id);
  if (!user || !phone) throw errors.notFound("phone number");
  return { user, phone };
}

export function ownPhoneNumber(user: UserRecord, id: string): PhoneNumberRecord {
  const phone = user.phoneNumbers.find((p) => p.id === id);
  if (!phone) throw errors.notFound("phone number");
  return phone;
}

export type PhoneNumberChanges = {
  verified?: boolean | undefined;
  primary?: boolean | undefined;
  reservedForSecondFactor?: boolean | undefined;
  defaultSecondFactor?: boolean | undefined;
};

// Applies the changes to `phone` (one of `user`'s), with Clerk's rules: reserving needs a verified
// number, the first reserved number becomes the default second factor, a number stops being
// primary or reserved when it stops being verified.
function applyChanges(user: UserRecord, phone: PhoneNumberRecord, changes: PhoneNumberChanges) {
  let primaryPhoneNumberId = user.primaryPhoneNumberId;
  if (changes.verified !== undefined) phone.verified = changes.verified;
  const reserving = changes.reservedForSecondFactor ?? phone.reservedForSecondFactor;
  if ((reserving || changes.primary) && !phone.verified) {
    throw errors.paramInvalid(
      changes.primary ? "primary" : "reserved_for_second_factor",
      "needs a verified phone number",
      400,
    );
  }
  if (changes.reservedForSecondFactor !== undefined) {
    phone.reservedForSecondFactor = changes.reservedForSecondFactor;
    if (!phone.reservedForSecondFactor) phone.defaultSecondFactor = false;
  }
  if (changes.defaultSecondFactor) {
    if (!phone.reservedForSecondFactor) {
      throw errors.paramInvalid("default_second_factor", "needs a number reserved for it", 400);
    }
    for (const other of user.phoneNumbers) other.defaultSecondFactor = other.id === phone.id;
  }
  const reserved = secondFactorPhoneNumbers(user);
  if (reserved.length > 0 && !reserved.some((p) => p.defaultSecondFactor)) {
    (reserved[0] as PhoneNumberRecord).defaultSecondFactor = true;
  }
  if (!phone.verified) {
    phone.reservedForSecondFactor = false;
    phone.defaultSecondFactor = false;
    if (primaryPhoneNumberId === phone.id) primaryPhoneNumberId = null;
  }
  // The first verified number becomes primary, as with Clerk.
  if (changes.primary || (phone.verified && primaryPhoneNumberId === null)) {
    primaryPhoneNumberId = phone.id;
  }
  return primaryPhoneNumberId;
}

// Where the instance has phone numbers (as an identifier, or for SMS codes as a second factor):
// what <UserProfile/> may add.
export function assertPhoneNumbersOffered(core: Core) {
  const s = offeredSettings(core);
  if (!s.identifiers.phone_number.enabled && !s.second_factors.phone_code) {
    throw errors.notAllowed("Phone numbers are not enabled on this application.");
  }
}

// From the Backend API (possibly verified and reserved at once) or <UserProfile/> (unverified).
export function addPhoneNumber(
  ctx: Ctx,
  input: { userId: string; phoneNumber: string; verified: boolean } & PhoneNumberChanges,
): PhoneNumberRecord {
  const phoneNumber = normalizedPhoneNumber(input.phoneNumber);
  // Taken by anyone, this user included, verified or not: Clerk's form_identifier_exists.
  assertUnique(ctx.core, "phone_number", phoneNumber);
  const user = getUser(ctx.core, input.userId);
  const now = ctx.core.now();
  const phone: PhoneNumberRecord = {
    id: newId("idn"),
    phoneNumber,
    verified: input.verified,
    reservedForSecondFactor: false,
    defaultSecondFactor: false,
    createdAt: now,
    updatedAt: now,
  };
  const withPhone = { ...user, phoneNumbers: [...user.phoneNumbers, phone] };
  const primaryPhoneNumberId = applyChanges(withPhone, phone, input);
  ctx.core.store.update("users", user, {
    phoneNumbers: withPhone.phoneNumbers,
    primaryPhoneNumberId,
  });
  // Nobody would see backup codes made here: the user makes them in <UserProfile/>.
  if (phone.reservedForSecondFactor) afterSecondFactorAdded(ctx, user, { backupCodes: false });
  else touchUser(ctx, user);
  return phone;
}

// Answers the number and, when reserving it made it the user's first second factor, the backup
// codes made then (shown once; `backupCodes: false` where nobody would see them).
export function updatePhoneNumber(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  changes: PhoneNumberChanges,
  options: { backupCodes: boolean } = { backupCodes: true },
): { phone: PhoneNumberRecord; backupCodes: string[] | null } {
  const phone = ownPhoneNumber(user, id);
  const wasSecondFactor = phone.verified && phone.reservedForSecondFactor;
  const staysSecondFactor =
    (changes.verified ?? phone.verified) &&
    (changes.reservedForSecondFactor ?? phone.reservedForSecondFactor);
  if (wasSecondFactor && !staysSecondFactor) assertSecondFactorRemovable(ctx, user);
  const primaryPhoneNumberId = applyChanges(user, phone, changes);
  phone.updatedAt = ctx.core.now();
  user.primaryPhoneNumberId = primaryPhoneNumberId;
  if (!wasSecondFactor && staysSecondFactor) {
    return { phone, backupCodes: afterSecondFactorAdded(ctx, user, options) };
  }
  if (wasSecondFactor && !staysSecondFactor) afterSecondFactorRemoved(ctx, user);
  else touchUser(ctx, user);
  return { phone, backupCodes: null };
}

export function preparePhoneNumberVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  strategy: string,
): PhoneNumberRecord {
  if (strategy !== "phone_code") throw errors.paramInvalid("strategy", "must be phone_code");
  const phone = ownPhoneNumber(user, id);
  if (phone.verified) throw errors.paramInvalid("strategy", "is not needed: already verified");
  phone.verification = sendSmsCode(ctx, phone, "phone number verification");
  phone.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return phone;
}

export function attemptPhoneNumberVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  code: string,
): PhoneNumberRecord {
  const phone = ownPhoneNumber(user, id);
  if (!phone.verification) {
    throw errors.paramInvalid("code", "was never sent: prepare the verification first");
  }
  const result = checkCode(phone.verification, code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  if (!phone.verified) updatePhoneNumber(ctx, user, id, { verified: true });
  return phone;
}

// Removing the primary number makes another verified one primary (or none); a number reserved for
// the second factor goes out of the second factors with it.
export function removePhoneNumber(ctx: Ctx, user: UserRecord, id: string): PhoneNumberRecord {
  const phone = ownPhoneNumber(user, id);
  const wasSecondFactor = phone.verified && phone.reservedForSecondFactor;
  if (wasSecondFactor) assertSecondFactorRemovable(ctx, user);
  const remaining = user.phoneNumbers.filter((p) => p.id !== id);
  const primaryPhoneNumberId =
    user.primaryPhoneNumberId === id
      ? (remaining.find((p) => p.verified)?.id ?? null)
      : user.primaryPhoneNumberId;
  const reserved = remaining.filter((p) => p.verified && p.reservedForSecondFactor);
  if (phone.defaultSecondFactor && reserved[0]) reserved[0].defaultSecondFactor = true;
  ctx.core.store.update("users", user, { phoneNumbers: remaining, primaryPhoneNumberId });
  if (wasSecondFactor) afterSecondFactorRemoved(ctx, user);
  else touchUser(ctx, user);
  return phone;
}
