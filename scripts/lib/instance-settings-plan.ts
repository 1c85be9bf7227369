import {
  type InstanceSettings,
  SOCIAL_PROVIDERS,
  type SocialProvider,
  settingItems,
} from "../../clerk/instance-settings";

// clerk/instance-settings.json against a real Clerk instance. Clerk's Backend API cannot set these
// items (its /v1/instance endpoints cover test mode, origins, restrictions and organization
// settings; of this file's items only verified domains, which are set in the Dashboard like the
// rest, one way for all), so `npm run clerk:configure` reads what the instance offers from its
// Frontend API's public environment and, for each item that differs, says where in the Dashboard
// to set it.

const DASHBOARD = "https://dashboard.clerk.com/~/user-authentication";
const USER_AND_AUTH = `${DASHBOARD}/user-and-authentication`;
const ORGANIZATIONS = "https://dashboard.clerk.com/~/organizations-settings";
const tab = (name: string, toggle: string) => `User & authentication > ${name} tab: ${toggle}`;

// Where each item is set, by the prefix of its path in the file.
const WHERE: [prefix: string, where: (leaf: string) => string, url: string][] = [
  ["identifiers.email_address", (l) => tab("Email", emailToggle(l)), USER_AND_AUTH],
  ["identifiers.username", (l) => tab("Username", identifierToggle("username", l)), USER_AND_AUTH],
  ["identifiers.phone_number", (l) => tab("Phone", identifierToggle("phone", l)), USER_AND_AUTH],
  [
    "personal_information.first_and_last_name",
    (l) =>
      `User & authentication > Personal information > First and last name${
        l === "required" ? " > Require first and last name" : ""
      }`,
    USER_AND_AUTH,
  ],
  ["first_factors.password", () => tab("Password", "Sign-up with password"), USER_AND_AUTH],
  ["first_factors.email_code", () => tab("Email", "Email verification code"), USER_AND_AUTH],
  ["first_factors.email_link", () => tab("Email", "Email verification link"), USER_AND_AUTH],
  ["first_factors.phone_code", () => tab("Phone", "SMS verification code"), USER_AND_AUTH],
  [
    "first_factors.passkey",
    () => tab("Passkeys", "Sign-in with passkey"),
    `${USER_AND_AUTH}?user_auth_tab=passkeys`,
  ],
  [
    "social_connections",
    (l) =>
      `SSO connections > Add connection > For all users > ${SOCIAL_PROVIDERS[l as SocialProvider]}` +
      " (or remove it)",
    `${DASHBOARD}/sso-connections`,
  ],
  [
    "second_factors.totp",
    () => "Multi-factor > Authenticator application",
    `${DASHBOARD}/multi-factor`,
  ],
  ["second_factors.backup_code", () => "Multi-factor > Backup codes", `${DASHBOARD}/multi-factor`],
  [
    "second_factors.phone_code",
    () => "Multi-factor > SMS verification code",
    `${DASHBOARD}/multi-factor`,
  ],
  [
    "organizations.verified_domains",
    (l) =>
      `Organizations > Settings > Verified domains: ${
        l === "enabled"
          ? "Enable verified domains"
          : `Enrollment mode > ${l === "automatic_invitation" ? "Automatic invitation" : "Automatic suggestion"}`
      }`,
    ORGANIZATIONS,
  ],
  [
    "organizations.membership_required",
    () => "Organizations > Settings > Membership required",
    ORGANIZATIONS,
  ],
  [
    "requirements.mfa_required",
    () => "Multi-factor > Require multi-factor authentication",
    `${DASHBOARD}/multi-factor`,
  ],
  [
    "requirements.device_trust",
    () => "Protect > Rules > Device Trust",
    "https://dashboard.clerk.com/~/protect/rules",
  ],
  [
    "requirements.legal_consent",
    () =>
      "Compliance > Legal > Require express consent to legal documents, with the app's /legal/terms and /legal/privacy as the Terms of Service and Privacy Policy URLs",
    "https://dashboard.clerk.com/~/compliance/legal",
  ],
];

function emailToggle(leaf: string) {
  if (leaf === "sign_in") return "Sign-in with email";
  if (leaf === "verifications.email_code") return "Verify at sign-up > Email verification code";
  if (leaf === "verifications.email_link") return "Verify at sign-up > Email verification link";
  if (leaf === "required") return "Sign-up with email > Require email address";
  return "Sign-up with email";
}

function identifierToggle(name: string, leaf: string) {
  if (leaf === "sign_in") return `Sign-in with ${name}`;
  if (leaf === "required") return `Sign-up with ${name} > Require ${name}`;
  return `Sign-up with ${name}`;
}

export function dashboardLocation(path: string): string {
  const entry = WHERE.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`));
  if (!entry) throw new Error(`no Dashboard location for ${path}`);
  const [prefix, where, url] = entry;
  const leaf = path.slice(prefix.length + 1) || (path.split(".").pop() as string);
  return `${where(leaf)} (${url})`;
}

type Attribute = {
  enabled: boolean;
  required: boolean;
  used_for_first_factor: boolean;
  first_factors: string[];
  second_factors: string[];
  verifications: string[];
};
export type EnvironmentJSON = {
  organization_settings: {
    domains: { enabled: boolean; enrollment_modes: string[] };
    // Sent by Clerk when the instance has "Membership required" (absent from its spec).
    force_organization_selection?: boolean;
  };
  user_settings: {
    attributes: Record<string, Attribute | undefined>;
    social: Record<string, { enabled: boolean } | undefined>;
    sign_in: { second_factor: { required: boolean } };
    sign_up?: { legal_consent_enabled?: boolean };
  };
};

// What an instance's environment (GET /v1/environment of its Frontend API) says of each item. Device
// Trust is not in it: it stays unknown.
export function itemsOfEnvironment(env: EnvironmentJSON): Map<string, boolean> {
  const attrs = env.user_settings.attributes;
  const attr = (name: string): Attribute =>
    attrs[name] ?? {
      enabled: false,
      required: false,
      used_for_first_factor: false,
      first_factors: [],
      second_factors: [],
      verifications: [],
    };
  const items = new Map<string, boolean>();
  for (const name of ["email_address", "username", "phone_number"]) {
    const a = attr(name);
    items.set(`identifiers.${name}.enabled`, a.enabled);
    items.set(`identifiers.${name}.required`, a.enabled && a.required);
    items.set(`identifiers.${name}.sign_in`, a.enabled && a.used_for_first_factor);
  }
  // One setting in the Dashboard, two attributes in the environment: both must say it.
  const first = attr("first_name");
  const last = attr("last_name");
  items.set("personal_information.first_and_last_name.enabled", first.enabled && last.enabled);
  items.set(
    "personal_information.first_and_last_name.required",
    first.enabled && first.required && last.enabled && last.required,
  );
  const email = attr("email_address");
  const phone = attr("phone_number");
  for (const strategy of ["email_code", "email_link"]) {
    items.set(
      `identifiers.email_address.verifications.${strategy}`,
      email.enabled && email.verifications.includes(strategy),
    );
  }
  items.set("first_factors.password", attr("password").enabled);
  items.set("first_factors.email_code", email.first_factors.includes("email_code"));
  items.set("first_factors.email_link", email.first_factors.includes("email_link"));
  items.set("first_factors.phone_code", phone.first_factors.includes("phone_code"));
  items.set("first_factors.passkey", attr("passkey").enabled);
  for (const provider of Object.keys(SOCIAL_PROVIDERS)) {
    items.set(
      `social_connections.${provider}`,
      env.user_settings.social[`oauth_${provider}`]?.enabled ?? false,
    );
  }
  items.set("second_factors.totp", attr("authenticator_app").enabled);
  items.set("second_factors.backup_code", attr("backup_code").enabled);
  items.set("second_factors.phone_code", phone.second_factors.includes("phone_code"));
  const domains = env.organization_settings.domains;
  items.set("organizations.verified_domains.enabled", domains.enabled);
  for (const mode of ["automatic_invitation", "automatic_suggestion"]) {
    items.set(
      `organizations.verified_domains.${mode}`,
      domains.enabled && domains.enrollment_modes.includes(mode),
    );
  }
  items.set(
    "organizations.membership_required",
    env.organization_settings.force_organization_selection ?? false,
  );
  items.set("requirements.mfa_required", env.user_settings.sign_in.second_factor.required);
  items.set(
    "requirements.legal_consent",
    env.user_settings.sign_up?.legal_consent_enabled ?? false,
  );
  return items;
}

export type SettingStep = { path: string; on: boolean; now: boolean | undefined; where: string };

// Each declared item the instance does not already have as declared (all of them when what it has
// is unknown), with where to set it.
export function planInstanceSettings(
  declared: InstanceSettings,
  current: Map<string, boolean> | null,
): SettingStep[] {
  return settingItems(declared)
    .map(({ path, on }) => ({ path, on, now: current?.get(path), where: dashboardLocation(path) }))
    .filter((step) => step.now !== step.on);
}
