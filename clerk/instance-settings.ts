import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

// The Clerk instance's sign-up and sign-in settings, declared once in instance-settings.json (as
// the roles are in organization-roles.json): the emulator starts from it and `npm run
// clerk:configure` applies it to the emulator, or says where in Clerk's Dashboard each item is set
// (Clerk's Backend API cannot set them). The app never reads it; Clerk's components render what
// the instance offers.
//
// One section per concern, each a closed object: a section another part of the project needs
// (organization settings, say) is one more key of InstanceSettingsSchema.

export const INSTANCE_SETTINGS_FILE = fileURLToPath(
  new URL("./instance-settings.json", import.meta.url),
);

// The social connections the emulator can stand in for, with the names Clerk shows.
export const SOCIAL_PROVIDERS = {
  google: "Google",
  github: "GitHub",
  microsoft: "Microsoft",
} as const;
export type SocialProvider = keyof typeof SOCIAL_PROVIDERS;
export const isSocialProvider = (name: string): name is SocialProvider =>
  Object.hasOwn(SOCIAL_PROVIDERS, name);

// An identifier people sign up with (`required`: every user must have one) and may sign in with.
const identifierFields = { enabled: z.boolean(), required: z.boolean(), sign_in: z.boolean() };
const Identifier = z.object(identifierFields).strict();
// How a new address is proved, at sign-up and when added in <UserProfile/>: with an emailed code
// or an emailed link (Clerk's components use the link when both are on).
const EmailIdentifier = z
  .object({
    ...identifierFields,
    verifications: z.object({ email_code: z.boolean(), email_link: z.boolean() }).strict(),
  })
  .strict();

const InstanceSettingsSchema = z
  .object({
    identifiers: z
      .object({ email_address: EmailIdentifier, username: Identifier, phone_number: Identifier })
      .strict(),
    // What a sign-up asks of a person besides how they sign in: first and last name, as one
    // setting (Clerk has no way to ask for one without the other). `required`: a sign-up cannot
    // complete without both; otherwise <SignUp/> offers them as optional fields.
    personal_information: z
      .object({
        first_and_last_name: z.object({ enabled: z.boolean(), required: z.boolean() }).strict(),
      })
      .strict(),
    // How someone proves who they are at sign-in (Clerk's strategy names). `password` also means
    // a password is required at sign-up.
    first_factors: z
      .object({
        password: z.boolean(),
        email_code: z.boolean(),
        email_link: z.boolean(),
        phone_code: z.boolean(),
        passkey: z.boolean(),
      })
      .strict(),
    // Sign-in and sign-up with these providers, and connecting them in <UserProfile/>.
    social_connections: z
      .object(
        Object.fromEntries(Object.keys(SOCIAL_PROVIDERS).map((p) => [p, z.boolean()])) as Record<
          SocialProvider,
          z.ZodBoolean
        >,
      )
      .partial()
      .strict(),
    // Multi-factor authentication a user may enrol in: an authenticator app (TOTP), backup codes
    // and SMS codes.
    second_factors: z
      .object({ totp: z.boolean(), backup_code: z.boolean(), phone_code: z.boolean() })
      .strict(),
    organizations: z
      .object({
        // Organizations may verify email domains (an emailed code to an address there); once
        // verified, a domain may invite people with a verified address there, or suggest that
        // they ask to join, as its admins choose (manual invitations are always a choice).
        verified_domains: z
          .object({
            enabled: z.boolean(),
            automatic_invitation: z.boolean(),
            automatic_suggestion: z.boolean(),
          })
          .strict(),
        // Every session needs an active organization (Clerk's "Membership required"): one without
        // is pending, with the `choose-organization` session task.
        membership_required: z.boolean(),
      })
      .strict(),
    requirements: z
      .object({
        // Every user must set up a second factor (Clerk's `setup-mfa` session task).
        mfa_required: z.boolean(),
        // Device Trust (formerly Client Trust): a password sign-in from a device the user never
        // used needs an emailed code too.
        device_trust: z.boolean(),
        // A sign-up needs the person's express consent to the Terms of Service and the Privacy
        // Policy (the app's /legal/terms and /legal/privacy): <SignUp/> shows a checkbox.
        legal_consent: z.boolean(),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const ids = s.identifiers;
    for (const [name, id] of Object.entries(ids) as [string, z.infer<typeof Identifier>][]) {
      if ((id.required || id.sign_in) && !id.enabled) {
        issue(["identifiers", name], "is required or used to sign in, so it must be enabled");
      }
    }
    const names = s.personal_information.first_and_last_name;
    if (names.required && !names.enabled) {
      issue(["personal_information", "first_and_last_name"], "is required, so it must be enabled");
    }
    const verifications = ids.email_address.verifications;
    if (ids.email_address.enabled && !verifications.email_code && !verifications.email_link) {
      issue(["identifiers", "email_address", "verifications"], "needs email_code or email_link");
    }
    if (!ids.email_address.enabled && !ids.username.enabled && !ids.phone_number.enabled) {
      issue(["identifiers"], "enable at least one of email_address, username, phone_number");
    }
    const f = s.first_factors;
    for (const code of ["email_code", "email_link"] as const) {
      if (f[code] && !ids.email_address.enabled) {
        issue(["first_factors", code], "needs identifiers.email_address enabled");
      }
    }
    if (f.phone_code && !ids.phone_number.enabled) {
      issue(["first_factors", "phone_code"], "needs identifiers.phone_number enabled");
    }
    if (s.second_factors.phone_code && !ids.phone_number.enabled) {
      issue(["second_factors", "phone_code"], "needs identifiers.phone_number enabled");
    }
    const signInIdentifier = Object.values(ids).some((id) => id.sign_in);
    if (f.password && !signInIdentifier) {
      issue(["first_factors", "password"], "needs an identifier with sign_in to go with it");
    }
    const social = Object.values(s.social_connections).some(Boolean);
    const firstFactor =
      (f.password || f.email_code || f.email_link || f.phone_code) && signInIdentifier;
    if (!firstFactor && !f.passkey && !social) {
      issue(
        ["first_factors"],
        "leaves no way to sign in: enable a first factor or a social connection",
      );
    }
    // As in Clerk: backup codes only go with another second factor, and requiring MFA needs one.
    const otherSecondFactor = s.second_factors.totp || s.second_factors.phone_code;
    if (s.second_factors.backup_code && !otherSecondFactor) {
      issue(["second_factors", "backup_code"], "needs totp or phone_code too");
    }
    if (s.requirements.mfa_required && !otherSecondFactor) {
      issue(["requirements", "mfa_required"], "needs totp or phone_code as a second factor");
    }
    const domains = s.organizations.verified_domains;
    for (const mode of ["automatic_invitation", "automatic_suggestion"] as const) {
      if (domains[mode] && !domains.enabled) {
        issue(["organizations", "verified_domains", mode], "needs verified_domains.enabled");
      }
    }
    if (s.requirements.device_trust && !f.password) {
      issue(
        ["requirements", "device_trust"],
        "guards password sign-ins: needs first_factors.password",
      );
    }
  });

export type InstanceSettings = z.infer<typeof InstanceSettingsSchema>;

export class InstanceSettingsFileError extends Error {}

// Every on/off item of the settings, by its path in the file ("identifiers.username.sign_in",
// "social_connections.google"): what the emulator offers and what clerk:configure reports go item
// by item.
export function settingItems(settings: InstanceSettings): { path: string; on: boolean }[] {
  const items: { path: string; on: boolean }[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === "boolean") items.push({ path: path.join("."), on: value });
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
    }
  };
  walk(settings, []);
  return items;
}

// The same settings with the items at `paths` switched off.
export function withItemsOff(
  settings: InstanceSettings,
  paths: Iterable<string>,
): InstanceSettings {
  const copy = structuredClone(settings) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop() as string;
    let node = copy;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (typeof node[last] === "boolean") node[last] = false;
  }
  return copy as InstanceSettings;
}

export function parseInstanceSettings(
  raw: unknown,
): { ok: true; settings: InstanceSettings } | { ok: false; problems: string[] } {
  const parsed = InstanceSettingsSchema.safeParse(raw);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`),
  };
}

export function readInstanceSettings(file = INSTANCE_SETTINGS_FILE): InstanceSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new InstanceSettingsFileError(
      `cannot read instance settings ${file}: ${(err as Error).message}`,
    );
  }
  const parsed = parseInstanceSettings(raw);
  if (!parsed.ok) {
    throw new InstanceSettingsFileError(
      `invalid instance settings ${file}:\n${parsed.problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
  return parsed.settings;
}
