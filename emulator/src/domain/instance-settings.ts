import {
  type InstanceSettings,
  settingItems,
  withItemsOff,
} from "../../../clerk/instance-settings";
import type { Core } from "../core";

// What the emulator can do of clerk/instance-settings.json: an item not listed here is switched
// off in what the instance offers (its environment, the factors a sign-in lists, what a sign-up
// asks for), so Clerk's components never show a button the emulator cannot serve. Items are the
// file's paths; each one joins this list with the code that serves it.
const EMULATED: ReadonlySet<string> = new Set([
  "identifiers.email_address.enabled",
  "identifiers.email_address.required",
  "identifiers.email_address.sign_in",
  "identifiers.email_address.verifications.email_code",
  "identifiers.email_address.verifications.email_link",
  "identifiers.username.enabled",
  "identifiers.username.required",
  "identifiers.username.sign_in",
  "first_factors.password",
  "first_factors.email_code",
  "identifiers.phone_number.enabled",
  "identifiers.phone_number.required",
  "identifiers.phone_number.sign_in",
  "personal_information.first_and_last_name.enabled",
  "personal_information.first_and_last_name.required",
  "first_factors.phone_code",
  "first_factors.passkey",
  "second_factors.totp",
  "second_factors.backup_code",
  "second_factors.phone_code",
  "requirements.mfa_required",
  "requirements.device_trust",
  "requirements.legal_consent",
  "first_factors.email_link",
  "social_connections.google",
  "social_connections.github",
  "social_connections.microsoft",
  "organizations.verified_domains.enabled",
  "organizations.verified_domains.automatic_invitation",
  "organizations.verified_domains.automatic_suggestion",
  "organizations.membership_required",
]);

// The declared settings an item at a time: those switched on that the emulator cannot serve.
export function notEmulated(settings: InstanceSettings): string[] {
  return settingItems(settings)
    .filter((item) => item.on && !EMULATED.has(item.path))
    .map((item) => item.path);
}

// What this instance offers: the declared settings, less what the emulator cannot serve.
export function offeredSettings(core: Core): InstanceSettings {
  return withItemsOff(core.instanceSettings, notEmulated(core.instanceSettings));
}
