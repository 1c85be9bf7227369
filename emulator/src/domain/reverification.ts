import type { Core, Ctx } from "../core";
import { verifyPassword } from "../crypto/password";
import { errors } from "../http/clerk-errors";
import type {
  ReverificationRecord,
  SessionRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { checkCode, sendEmailCode } from "./email-codes";
import { registeredPasskeys, secondFactorPhoneNumbers, twoFactorEnabled } from "./mfa-status";
import { passkeyRequestOptions, verifyPasskeyAssertion } from "./passkeys";
import { checkSecondFactorCode } from "./second-factors";
import { sendSmsCode } from "./sms-codes";

// Reverification (Clerk's "step-up"): a signed-in user proves again who they are before a
// sensitive action. The session remembers when it last verified each factor; its tokens carry the
// ages as `fva` (minutes; -1: never), which `has({ reverification })` compares with what an action
// asks. clerk-js's `session.startVerification()` and friends drive the steps below, and
// `useReverification()` retries the action once the session's new token is out.

const MINUTE_MS = 60_000;

// `fva` / `factor_verification_age`: minutes since the first and the second factor were verified.
export function factorVerificationAge(core: Core, session: SessionRecord): [number, number] {
  const age = (at: number | null) =>
    at === null ? -1 : Math.max(0, Math.floor((core.now() - at) / MINUTE_MS));
  return [age(session.firstFactorVerifiedAt), age(session.secondFactorVerifiedAt)];
}

export type ReverificationLevel = ReverificationRecord["level"];

function userOf(core: Core, session: SessionRecord): UserRecord {
  const user = core.store.state.users[session.userId];
  if (!user) throw errors.notFound("user");
  return user;
}

function current(session: SessionRecord): ReverificationRecord {
  if (!session.reverification) {
    throw errors.paramInvalid("strategy", "needs a reverification: start one first");
  }
  return session.reverification;
}

// `session.startVerification({ level })`. A second factor asked of a user without one falls back to
// the first factor, as Clerk does.
export function startReverification(
  ctx: Ctx,
  session: SessionRecord,
  level: ReverificationLevel,
): ReverificationRecord {
  const user = userOf(ctx.core, session);
  const effective = level !== "first_factor" && !twoFactorEnabled(user) ? "first_factor" : level;
  session.reverification = {
    level: effective,
    status: effective === "second_factor" ? "needs_second_factor" : "needs_first_factor",
    firstFactorVerification: null,
    secondFactorVerification: null,
    createdAt: ctx.core.now(),
  };
  ctx.core.store.save();
  return session.reverification;
}

export async function prepareReverificationFirstFactor(
  ctx: Ctx,
  session: SessionRecord,
  input: {
    strategy: string;
    emailAddressId?: string | undefined;
    phoneNumberId?: string | undefined;
  },
): Promise<ReverificationRecord> {
  const user = userOf(ctx.core, session);
  const passkeyOptions =
    input.strategy === "passkey" && registeredPasskeys(user).length > 0
      ? await passkeyRequestOptions(ctx.core, user)
      : null;
  const rv = current(session);
  if (rv.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  if (passkeyOptions) {
    rv.firstFactorVerification = {
      strategy: "passkey",
      status: "unverified",
      emailAddressId: null,
      codeHash: null,
      attempts: 0,
      expireAt: ctx.core.now() + ctx.core.config.codeTtlSeconds * 1000,
      nonce: passkeyOptions,
    };
  } else if (input.strategy === "email_code") {
    const email = user.emailAddresses.find(
      (e) => e.verified && e.id === (input.emailAddressId ?? user.primaryEmailAddressId),
    );
    if (!email) throw errors.paramInvalid("email_address_id", "is not a verified address of yours");
    rv.firstFactorVerification = sendEmailCode(ctx, email, "verification");
  } else if (input.strategy === "phone_code") {
    const phone = user.phoneNumbers.find(
      (p) => p.verified && p.id === (input.phoneNumberId ?? user.primaryPhoneNumberId),
    );
    if (!phone) throw errors.paramInvalid("phone_number_id", "is not a verified number of yours");
    rv.firstFactorVerification = sendSmsCode(ctx, phone, "verification");
  } else {
    throw errors.paramInvalid(
      "strategy",
      "must be email_code, phone_code or passkey (one of yours)",
    );
  }
  ctx.core.store.save();
  return rv;
}

function checkSent(ctx: Ctx, v: VerificationRecord | null, strategy: string, code: string) {
  if (v?.strategy !== strategy)
    throw errors.paramInvalid("strategy", `${strategy} must be prepared first`);
  const result = checkCode(v, code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
}

const verifiedNow = (strategy: VerificationRecord["strategy"]): VerificationRecord => ({
  strategy,
  status: "verified",
  emailAddressId: null,
  codeHash: null,
  attempts: 1,
  expireAt: null,
});

export async function attemptReverificationFirstFactor(
  ctx: Ctx,
  session: SessionRecord,
  attempt:
    | { strategy: "password"; password: string }
    | { strategy: "email_code" | "phone_code"; code: string }
    | { strategy: "passkey"; publicKeyCredential: string },
): Promise<ReverificationRecord> {
  const user = userOf(ctx.core, session);
  if (attempt.strategy === "passkey") {
    const v = current(session).firstFactorVerification;
    if (v?.strategy !== "passkey" || !v.nonce) {
      throw errors.paramInvalid("strategy", "passkey must be prepared first");
    }
    await verifyPasskeyAssertion(ctx, v.nonce, attempt.publicKeyCredential, user.id);
    v.status = "verified";
  }
  if (attempt.strategy === "password") {
    const ok =
      user.passwordHash !== null && (await verifyPassword(attempt.password, user.passwordHash));
    // Checked after the await: the state is read once the password is known to be right.
    if (!ok) throw errors.passwordIncorrect();
  }
  const rv = current(session);
  if (rv.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  if (attempt.strategy === "password") {
    rv.firstFactorVerification = verifiedNow("password");
  } else if (attempt.strategy !== "passkey") {
    checkSent(ctx, rv.firstFactorVerification, attempt.strategy, attempt.code);
  }
  session.firstFactorVerifiedAt = ctx.core.now();
  rv.status = rv.level === "multi_factor" ? "needs_second_factor" : "complete";
  ctx.core.store.save();
  return rv;
}

export function prepareReverificationSecondFactor(
  ctx: Ctx,
  session: SessionRecord,
  input: { strategy: string; phoneNumberId?: string | undefined },
): ReverificationRecord {
  const rv = current(session);
  if (rv.status !== "needs_second_factor" || input.strategy !== "phone_code") {
    throw errors.paramInvalid("strategy", "is not a second factor to prepare now");
  }
  const phone = secondFactorPhoneNumbers(userOf(ctx.core, session)).find(
    (p) => input.phoneNumberId === undefined || p.id === input.phoneNumberId,
  );
  if (!phone) throw errors.paramInvalid("phone_number_id", "is not a second factor of yours");
  rv.secondFactorVerification = sendSmsCode(ctx, phone, "verification");
  ctx.core.store.save();
  return rv;
}

export function attemptReverificationSecondFactor(
  ctx: Ctx,
  session: SessionRecord,
  attempt: { strategy: "totp" | "backup_code" | "phone_code"; code: string },
): ReverificationRecord {
  const rv = current(session);
  if (rv.status !== "needs_second_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  if (attempt.strategy === "phone_code") {
    checkSent(ctx, rv.secondFactorVerification, "phone_code", attempt.code);
  } else {
    const { strategy, code } = attempt;
    if (!checkSecondFactorCode(ctx.core, userOf(ctx.core, session), { strategy, code })) {
      throw errors.codeIncorrect();
    }
    rv.secondFactorVerification = verifiedNow(strategy);
  }
  session.secondFactorVerifiedAt = ctx.core.now();
  rv.status = "complete";
  ctx.core.store.save();
  return rv;
}
