import { randomInt } from "node:crypto";
import type { Ctx } from "../core";
import type { VerificationRecord } from "../store/records";
import { hashCode } from "./email-codes";
import { deliverEmail } from "./mailbox";

// As in Clerk's development instances: the test numbers +1 XXX 555-01XX never get a real text
// message and always accept this code (the emulator sends none anyway: the mailbox is its outbox).
const TEST_PHONE_CODE = "424242";
export const isTestPhoneNumber = (phoneNumber: string) => /^\+1\d{3}55501\d{2}$/.test(phoneNumber);

// "Texts" a verification code (`phone_code`): it lands in the mailbox, as an SMS.
export function sendSmsCode(
  ctx: Ctx,
  to: { id: string | null; phoneNumber: string },
  purpose: string,
): VerificationRecord {
  const { core } = ctx;
  const code = isTestPhoneNumber(to.phoneNumber)
    ? TEST_PHONE_CODE
    : String(randomInt(0, 1_000_000)).padStart(6, "0");
  deliverEmail(
    core,
    { to: to.phoneNumber, subject: `${code} is your verification code (${purpose})`, code },
    "sms",
  );
  return {
    strategy: "phone_code",
    status: "unverified",
    emailAddressId: null,
    phoneNumberId: to.id,
    codeHash: hashCode(code),
    attempts: 0,
    expireAt: core.now() + core.config.codeTtlSeconds * 1000,
  };
}
