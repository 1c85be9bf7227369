import { errors } from "../http/clerk-errors";

// Phone numbers are kept in E.164, as Clerk keeps them: a plus, a country code and at most 15
// digits in all. Spaces, dashes, dots and brackets, as people type them, are dropped.
export const stripPhoneFormatting = (raw: string) => raw.replace(/[\s().-]/g, "");

export const isE164 = (phone: string) => /^\+[1-9]\d{6,14}$/.test(phone);

export function normalizedPhoneNumber(raw: string, param = "phone_number"): string {
  const phone = stripPhoneFormatting(raw);
  if (!isE164(phone)) {
    throw errors.paramInvalid(param, "must be a valid phone number in E.164 format (+15555550100)");
  }
  return phone;
}
