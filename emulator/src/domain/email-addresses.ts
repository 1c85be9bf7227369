import { z } from "zod";
import type { Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { EmailAddressRecord, UserRecord } from "../store/records";
import { checkEmailCode, sendEmailCode } from "./email-codes";
import { assertUnique, getUser, touchUser } from "./users";

// A user's own email addresses, as <UserProfile/> manages them: an added address is unverified
// until the user types the code sent to it; only then can it become primary or sign them in.

const Email = z.email();

// Addresses are compared in lower case everywhere.
export function normalizedEmailAddress(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!Email.safeParse(email).success) {
    throw errors.paramInvalid("email_address", "must be a valid email address");
  }
  return email;
}

export function ownEmailAddress(user: UserRecord, id: string): EmailAddressRecord {
  const email = user.emailAddresses.find((e) => e.id === id);
  if (!email) throw errors.notFound("email address");
  return email;
}

export function addEmailAddress(ctx: Ctx, userId: string, raw: string): EmailAddressRecord {
  const emailAddress = normalizedEmailAddress(raw);
  // Taken by anyone, this user included, verified or not: Clerk's form_identifier_exists.
  assertUnique(ctx.core, "email_address", emailAddress);
  const user = getUser(ctx.core, userId);
  const now = ctx.core.now();
  const email: EmailAddressRecord = {
    id: newId("idn"),
    emailAddress,
    verified: false,
    createdAt: now,
    updatedAt: now,
  };
  user.emailAddresses.push(email);
  touchUser(ctx, user);
  return email;
}

export function prepareEmailAddressVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  strategy: string,
): EmailAddressRecord {
  if (strategy !== "email_code") throw errors.paramInvalid("strategy", "must be email_code");
  const email = ownEmailAddress(user, id);
  if (email.verified) throw errors.paramInvalid("strategy", "is not needed: already verified");
  email.verification = sendEmailCode(ctx, email, "email address verification");
  email.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return email;
}

export function attemptEmailAddressVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  code: string,
): EmailAddressRecord {
  const email = ownEmailAddress(user, id);
  if (!email.verification) {
    throw errors.paramInvalid("code", "was never sent: prepare the verification first");
  }
  const result = checkEmailCode(email.verification, code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  if (!email.verified) {
    email.verified = true;
    email.updatedAt = ctx.core.now();
    touchUser(ctx, user);
  }
  return email;
}

// The primary address stays: make another (verified) address primary first. A user's last
// address is their primary one, so this also keeps Clerk's rule that the last one stays.
export function removeEmailAddress(ctx: Ctx, user: UserRecord, id: string): EmailAddressRecord {
  const email = ownEmailAddress(user, id);
  if (email.id === user.primaryEmailAddressId) {
    throw errors.identificationDeletionFailed(
      "You cannot delete your primary email address. Make another verified address primary first.",
    );
  }
  user.emailAddresses = user.emailAddresses.filter((e) => e.id !== id);
  touchUser(ctx, user);
  return email;
}
