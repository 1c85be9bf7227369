import { createHash, randomInt } from "node:crypto";
import type { Ctx } from "../core";
import type { VerificationRecord } from "../store/records";
import { deliverEmail } from "./mailbox";

const MAX_CODE_ATTEMPTS = 5;

// As in Clerk's development instances: addresses with the `+clerk_test` subaddress never get a
// real email and always accept this code.
const TEST_EMAIL_CODE = "424242";
const isTestAddress = (email: string) => /\+clerk_test@/i.test(email);

export const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

// "Sends" a verification code to the mailbox. A password-reset code is the same kind of code
// under its own strategy.
export function sendEmailCode(
  ctx: Ctx,
  to: { id: string | null; emailAddress: string },
  purpose: string,
  strategy: "email_code" | "reset_password_email_code" = "email_code",
): VerificationRecord {
  const { core } = ctx;
  const code = isTestAddress(to.emailAddress)
    ? TEST_EMAIL_CODE
    : String(randomInt(0, 1_000_000)).padStart(6, "0");
  const now = core.now();
  deliverEmail(core, {
    to: to.emailAddress,
    subject: `${code} is your verification code (${purpose})`,
    code,
  });
  return {
    strategy,
    status: "unverified",
    emailAddressId: to.id,
    codeHash: hashCode(code),
    attempts: 0,
    expireAt: now + core.config.codeTtlSeconds * 1000,
  };
}

export type CodeCheck = "verified" | "incorrect" | "expired" | "too_many_attempts";

// Checks a code (emailed or texted) against a pending verification and records the attempt on it.
export function checkCode(verification: VerificationRecord, code: string, now: number): CodeCheck {
  if (verification.status === "verified") return "verified";
  if (verification.expireAt !== null && verification.expireAt <= now) {
    verification.status = "expired";
    return "expired";
  }
  if (verification.attempts >= MAX_CODE_ATTEMPTS) {
    verification.status = "failed";
    return "too_many_attempts";
  }
  verification.attempts += 1;
  if (verification.codeHash !== hashCode(code.trim())) return "incorrect";
  verification.status = "verified";
  return "verified";
}
