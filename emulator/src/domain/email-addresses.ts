import { z } from "zod";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { EmailAddressRecord, UserRecord } from "../store/records";
import { enrollUser } from "./domain-enrollment";
import { checkEmailCode, sendEmailCode } from "./email-codes";
import { type LinkOutcome, sendEmailLink } from "./email-links";
import { offeredSettings } from "./instance-settings";
import { assertUnique, getUser, touchUser } from "./users";

// A user's email addresses: the Backend API's /email_addresses manages them directly, a user in
// <UserProfile/> adds one unverified and verifies it with the code sent to it; only a verified
// address can become primary or sign them in. Each change is a user change: a new updated_at and
// a `user.updated` event, as Clerk sends.

const Email = z.email();

// Addresses are compared in lower case everywhere.
export function normalizedEmailAddress(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!Email.safeParse(email).success) {
    throw errors.paramInvalid("email_address", "must be a valid email address");
  }
  return email;
}

export function findEmailAddress(core: Core, id: string) {
  const [user] = core.store.lookup("users", "emailAddressId", id);
  const email = user?.emailAddresses.find((e) => e.id === id);
  if (!user || !email) throw errors.notFound("email address");
  return { user, email };
}

// The user's addresses with `email` in place of the one with its id.
function withAddress(user: UserRecord, email: EmailAddressRecord): EmailAddressRecord[] {
  return user.emailAddresses.map((e) => (e.id === email.id ? email : e));
}

export function ownEmailAddress(user: UserRecord, id: string): EmailAddressRecord {
  const email = user.emailAddresses.find((e) => e.id === id);
  if (!email) throw errors.notFound("email address");
  return email;
}

// A verified address may bring an invitation or suggestion from a verified organization domain
// (domain-enrollment.ts), hence the awaits.
export async function addEmailAddress(
  ctx: Ctx,
  input: { userId: string; emailAddress: string; verified: boolean; primary: boolean },
): Promise<EmailAddressRecord> {
  const emailAddress = normalizedEmailAddress(input.emailAddress);
  // Taken by anyone, this user included, verified or not: Clerk's form_identifier_exists.
  assertUnique(ctx.core, "email_address", emailAddress);
  const user = getUser(ctx.core, input.userId);
  const now = ctx.core.now();
  const email: EmailAddressRecord = {
    id: newId("idn"),
    emailAddress,
    verified: input.verified,
    createdAt: now,
    updatedAt: now,
  };
  const primary = input.primary || user.primaryEmailAddressId === null;
  touchUser(ctx, user, {
    emailAddresses: [...user.emailAddresses, email],
    primaryEmailAddressId: primary ? email.id : user.primaryEmailAddressId,
  });
  if (email.verified) await enrollUser(ctx, user);
  return email;
}

export async function updateEmailAddress(
  ctx: Ctx,
  id: string,
  input: { verified?: boolean | undefined; primary?: boolean | undefined },
): Promise<EmailAddressRecord> {
  const { user, email } = findEmailAddress(ctx.core, id);
  const updated = {
    ...email,
    verified: input.verified ?? email.verified,
    updatedAt: ctx.core.now(),
  };
  touchUser(ctx, user, {
    emailAddresses: withAddress(user, updated),
    ...(input.primary ? { primaryEmailAddressId: email.id } : {}),
  });
  if (updated.verified && !email.verified) await enrollUser(ctx, user);
  return updated;
}

// A code, or where the instance verifies by link an emailed link (`redirect`: where the browser
// goes once it is opened).
export function prepareEmailAddressVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  strategy: string,
  redirect?: { redirectUrl: string; frontendApiUrl: string },
): EmailAddressRecord {
  if (strategy !== "email_code" && strategy !== "email_link") {
    throw errors.paramInvalid("strategy", "must be email_code or email_link");
  }
  const offered = offeredSettings(ctx.core).identifiers.email_address.verifications;
  if (!offered[strategy]) throw errors.strategyForUserInvalid();
  const email = ownEmailAddress(user, id);
  if (email.verified) throw errors.paramInvalid("strategy", "is not needed: already verified");
  if (strategy === "email_link") {
    if (!redirect) throw errors.paramMissing("redirect_url");
    email.verification = sendEmailLink(ctx, {
      purpose: "email_address",
      targetId: email.id,
      to: email,
      subject: "Verify your email address",
      ...redirect,
    });
  } else {
    email.verification = sendEmailCode(ctx, email, "email address verification");
  }
  email.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return email;
}

export async function attemptEmailAddressVerification(
  ctx: Ctx,
  user: UserRecord,
  id: string,
  code: string,
): Promise<EmailAddressRecord> {
  const email = ownEmailAddress(user, id);
  if (!email.verification) {
    throw errors.paramInvalid("code", "was never sent: prepare the verification first");
  }
  if (email.verification.strategy === "email_link") {
    throw errors.paramInvalid("strategy", "is email_link: the emailed link verifies the address");
  }
  const result = checkEmailCode(email.verification, code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  if (email.verified) return email;
  const verified = { ...email, verified: true, updatedAt: ctx.core.now() };
  touchUser(ctx, user, { emailAddresses: withAddress(user, verified) });
  await enrollUser(ctx, user);
  return verified;
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
  touchUser(ctx, user, { emailAddresses: user.emailAddresses.filter((e) => e.id !== id) });
  return email;
}

// Its emailed link was opened: the address is verified (and may bring a verified domain's
// invitation or suggestion); <UserProfile/>, polling the address, shows it.
export async function verifyEmailAddressByLink(ctx: Ctx, id: string): Promise<LinkOutcome> {
  const found = ctx.core.store.lookup("users", "emailAddressId", id)[0];
  const email = found?.emailAddresses.find((e) => e.id === id);
  const v = email?.verification;
  if (!found || !email || v?.strategy !== "email_link") return { status: "failed" };
  if (email.verified) return { status: "verified" };
  if (v.status !== "unverified") return { status: "failed" };
  if (v.expireAt !== null && v.expireAt <= ctx.core.now()) {
    v.status = "expired";
    ctx.core.store.save();
    return { status: "expired" };
  }
  const verified = {
    ...email,
    verified: true,
    verification: { ...v, status: "verified" as const, attempts: v.attempts + 1 },
    updatedAt: ctx.core.now(),
  };
  touchUser(ctx, found, { emailAddresses: withAddress(found, verified) });
  await enrollUser(ctx, found);
  return { status: "verified" };
}
