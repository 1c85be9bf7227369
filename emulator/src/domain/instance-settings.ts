import type { Core } from "../core";

// Interim, until clerk/instance-settings.json lands: the settings the MFA, phone and Device Trust
// code reads, in that file's shape (offeredSettings(core) there), with the default instance's
// values.
export type InstanceSettings = {
  identifiers: Record<
    "email_address" | "username" | "phone_number",
    { enabled: boolean; required: boolean; sign_in: boolean }
  >;
  first_factors: Record<
    "password" | "email_code" | "email_link" | "phone_code" | "passkey",
    boolean
  >;
  second_factors: Record<"totp" | "backup_code" | "phone_code", boolean>;
  requirements: { mfa_required: boolean; device_trust: boolean };
};

const DEFAULTS: InstanceSettings = {
  identifiers: {
    email_address: { enabled: true, required: true, sign_in: true },
    username: { enabled: false, required: false, sign_in: false },
    phone_number: { enabled: true, required: false, sign_in: true },
  },
  first_factors: {
    password: true,
    email_code: true,
    email_link: false,
    phone_code: true,
    passkey: true,
  },
  second_factors: { totp: true, backup_code: true, phone_code: true },
  requirements: { mfa_required: false, device_trust: true },
};

export function offeredSettings(_core: Core): InstanceSettings {
  return DEFAULTS;
}
