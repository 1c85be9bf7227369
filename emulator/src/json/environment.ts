import {
  type InstanceSettings,
  SOCIAL_PROVIDERS,
  type SocialProvider,
} from "../../../clerk/instance-settings";
import { CREATOR_ROLE } from "../../../clerk/organization-roles";
import { domainSettingsOf } from "../domain/organization-settings";
import { MIN_PASSWORD_LENGTH, USERNAME_LENGTH } from "../domain/users";

// The Frontend API's `GET /v1/environment`: the instance configuration clerk-js and @clerk/ui
// render from. Its identifiers, factors and social connections are the instance settings
// (clerk/instance-settings.json) less what the emulator cannot serve (offeredSettings); the rest
// (password reset, the user's own addresses, picture and account, organizations, API keys) is
// fixed, so the UI never offers a flow the emulator cannot serve. Checked against
// fapi-2026-05-12.yml `Client.Environment`, which is closed (`additionalProperties: false`) at
// almost every level: fields the SDK reads but the spec does not list (`auth_config.session_minter`,
// `protect_config.id`, ...) are left out, and clerk-js then falls back to its defaults (false or
// empty), which are the values this instance wants anyway. The exception is
// `organization_settings.force_organization_selection`, sent where membership is required.

// What a user may do from the UI, in the environment and on each user (the two must agree).
// Deleting oneself is <UserProfile/>'s "Delete account" (DELETE /v1/me).
export const USER_ACTIONS = { deleteSelf: true, createOrganization: true } as const;

export type EnvironmentOptions = {
  applicationName: string;
  // What the instance offers (domain/instance-settings.ts offeredSettings).
  settings: InstanceSettings;
  // The app's origin (http://localhost:3000): the UI's redirects and links point at its pages.
  // Null when unknown: the URLs are then empty, and clerk-js uses its own defaults.
  appOrigin: string | null;
  // Whether any organization plan costs money (<PricingTable/> and the checkout read it).
  organizationPaidPlans?: boolean;
};

type AttributeOptions = {
  required?: boolean;
  // An identifier on the sign-in form (email address, username, phone number).
  signIn?: boolean;
  firstFactors?: string[];
  secondFactors?: string[];
  verifications?: string[];
  // Proved before the sign-up completes (an email address or phone number).
  verifyAtSignUp?: boolean;
};

// `UserSettings.Attribute`. clerk-js treats every attribute with `used_for_first_factor` as a
// sign-in identifier, so password must not set it.
function attribute(enabled: boolean, options: AttributeOptions = {}) {
  const on = (list: string[] | undefined) => (enabled ? (list ?? []) : []);
  const secondFactors = on(options.secondFactors);
  const verifications = on(options.verifications);
  return {
    enabled,
    required: enabled && (options.required ?? false),
    used_for_first_factor: enabled && (options.signIn ?? false),
    first_factors: on(options.firstFactors),
    used_for_second_factor: secondFactors.length > 0,
    second_factors: secondFactors,
    verifications,
    verify_at_sign_up: enabled && (options.verifyAtSignUp ?? false),
    immutable: false,
  };
}

const off = () => attribute(false);
const listed = (entries: Record<string, boolean>) =>
  Object.entries(entries)
    .filter(([, on]) => on)
    .map(([name]) => name);

// How a new address is proved (at sign-up, and when added in <UserProfile/>).
const emailVerifications = (s: InstanceSettings) =>
  listed(s.identifiers.email_address.verifications);

const socialStrategies = (s: InstanceSettings) =>
  listed(s.social_connections).map((provider) => `oauth_${provider}`);

// `UserSettings.Socials`: the enabled providers only, each a way to sign in and to sign up. No
// logo: @clerk/ui draws provider icons from img.clerk.com whatever the instance says.
function socialJSON(s: InstanceSettings) {
  return Object.fromEntries(
    Object.entries(SOCIAL_PROVIDERS)
      .filter(([provider]) => s.social_connections[provider as SocialProvider])
      .map(([provider, name]) => [
        `oauth_${provider}`,
        {
          enabled: true,
          required: false,
          authenticatable: true,
          block_email_subaddresses: false,
          strategy: `oauth_${provider}`,
          not_selectable: false,
          deprecated: false,
          name,
          logo_url: null,
        },
      ]),
  );
}

function userSettings(s: InstanceSettings) {
  const ids = s.identifiers;
  const f = s.first_factors;
  const names = s.personal_information.first_and_last_name;
  return {
    attributes: {
      email_address: attribute(ids.email_address.enabled, {
        required: ids.email_address.required,
        signIn: ids.email_address.sign_in,
        firstFactors: listed({ email_code: f.email_code, email_link: f.email_link }),
        verifications: emailVerifications(s),
        verifyAtSignUp: true,
      }),
      phone_number: attribute(ids.phone_number.enabled, {
        required: ids.phone_number.required,
        signIn: ids.phone_number.sign_in,
        firstFactors: listed({ phone_code: f.phone_code }),
        secondFactors: listed({ phone_code: s.second_factors.phone_code }),
        verifications: ["phone_code"],
        verifyAtSignUp: true,
      }),
      username: attribute(ids.username.enabled, {
        required: ids.username.required,
        signIn: ids.username.sign_in,
      }),
      web3_wallet: off(),
      first_name: attribute(names.enabled, { required: names.required }),
      last_name: attribute(names.enabled, { required: names.required }),
      password: attribute(f.password, { required: true }),
      authenticator_app: attribute(s.second_factors.totp, {
        secondFactors: ["totp"],
        verifications: ["totp"],
      }),
      // Organization invitations' links (`__clerk_ticket`) sign people in and up; no form asks
      // for a ticket, so it is no sign-in identifier.
      ticket: attribute(true),
      backup_code: attribute(s.second_factors.backup_code, { secondFactors: ["backup_code"] }),
      passkey: attribute(f.passkey, {
        signIn: true,
        firstFactors: ["passkey"],
        verifications: ["passkey"],
      }),
    },
    social: socialJSON(s),
    saml: { enabled: false },
    enterprise_sso: { enabled: false, self_serve_sso: false },
    sign_in: { second_factor: { required: s.requirements.mfa_required } },
    sign_up: {
      captcha_enabled: false,
      // Required by the spec even with captcha off; never used then.
      captcha_widget_type: "smart",
      custom_action_required: false,
      // Clerk's default: the UI collects what `missing_fields` asks for, step by step.
      progressive: true,
      mode: "public",
      // <SignUp/> then shows a checkbox with the display config's terms and privacy links.
      legal_consent_enabled: s.requirements.legal_consent,
    },
    restrictions: {
      allowlist: { enabled: false },
      blocklist: { enabled: false },
      allowlist_blocklist_disabled_on_sign_in: { enabled: false },
      block_email_subaddresses: { enabled: false },
      block_disposable_email_domains: { enabled: false },
    },
    password_settings: {
      // Have I Been Pwned and zxcvbn would need the network or extra downloads.
      disable_hibp: true,
      disable_password_reverification: true,
      min_length: MIN_PASSWORD_LENGTH,
      max_length: 72,
      require_special_char: false,
      require_numbers: false,
      require_uppercase: false,
      require_lowercase: false,
      show_zxcvbn: false,
      min_zxcvbn_strength: 0,
      enforce_hibp_on_sign_in: false,
      allowed_special_characters: "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~",
    },
    username_settings: {
      min_length: USERNAME_LENGTH.min,
      max_length: USERNAME_LENGTH.max,
      allow_extended_special_characters: false,
      allow_numeric_usernames: false,
    },
    actions: {
      delete_self: USER_ACTIONS.deleteSelf,
      create_organization: USER_ACTIONS.createOrganization,
      create_organizations_limit: null,
    },
    attack_protection: {
      user_lockout: { enabled: false, max_attempts: 100, duration_in_minutes: 60 },
      pii: { enabled: false },
      email_link: { require_same_client: false },
      // Off, as in a new development instance: sign-in may say "no account with this email".
      enumeration_protection: { enabled: false },
    },
    passkey_settings: {
      allow_autofill: f.passkey,
      show_sign_in_button: f.passkey,
      satisfies_second_factor: false,
    },
  };
}

// The app's sign-in and sign-up pages, also where invitation links lead.
export const SIGN_IN_PATH = "/sign-in";
export const SIGN_UP_PATH = "/sign-up";
// The app's page with Clerk's <OAuthConsent/>, where the OAuth server sends people to consent.
export const OAUTH_CONSENT_PATH = "/oauth/consent";

// Pages of the app (src/app): sign-in and sign-up, settings as the user profile, and onboarding,
// which sends a signed-in user on to their active organization or lets them pick or create one.
function appUrls(appOrigin: string | null) {
  const page = (path: string) => (appOrigin === null ? "" : `${appOrigin}${path}`);
  return {
    home_url: page("/"),
    sign_in_url: page(SIGN_IN_PATH),
    sign_up_url: page(SIGN_UP_PATH),
    user_profile_url: page("/settings"),
    after_sign_in_url: page("/onboarding"),
    after_sign_up_url: page("/onboarding"),
    // As the app's <ClerkProvider afterSignOutUrl="/">.
    after_sign_out_one_url: page("/"),
    after_sign_out_all_url: page("/"),
    after_switch_session_url: page("/onboarding"),
    // The app has no organization profile page: organizations are chosen and created there.
    organization_profile_url: page("/onboarding"),
    create_organization_url: page("/onboarding"),
    after_create_organization_url: page("/onboarding"),
    after_leave_organization_url: page("/onboarding"),
    logo_link_url: page("/"),
    // No waitlist (sign-up mode is public): never visited.
    waitlist_url: "",
    after_join_waitlist_url: "",
    oauth_consent_url: page(OAUTH_CONSENT_PATH),
  };
}

// The app's pages for its Terms of Service and Privacy Policy (src/app/legal), which <SignUp/>
// links to when the instance asks for consent.
export const TERMS_PATH = "/legal/terms";
export const PRIVACY_PATH = "/legal/privacy";

function legalUrls(options: EnvironmentOptions) {
  const linked = options.settings.requirements.legal_consent && options.appOrigin !== null;
  return {
    privacy_policy_url: linked ? `${options.appOrigin}${PRIVACY_PATH}` : null,
    terms_url: linked ? `${options.appOrigin}${TERMS_PATH}` : null,
  };
}

function displayConfig(options: EnvironmentOptions) {
  return {
    object: "display_config",
    id: "display_config_emulator",
    instance_environment_type: "development",
    application_name: options.applicationName,
    // Clerk's default theme; nothing in it loads from the network.
    theme: {
      buttons: { font_color: "#ffffff", font_family: "sans-serif", font_weight: "600" },
      general: {
        color: "#6c47ff",
        padding: "1em",
        box_shadow: "0 2px 8px rgba(0, 0, 0, 0.2)",
        font_color: "#151515",
        font_family: "sans-serif",
        border_radius: "0.5em",
        background_color: "#ffffff",
        label_font_weight: "600",
      },
      accounts: { background_color: "#ffffff" },
    },
    preferred_sign_in_strategy: options.settings.first_factors.password ? "password" : "otp",
    // No images anywhere: an image URL would make the browser leave localhost.
    logo_image_url: "",
    favicon_image_url: "",
    logo_url: null,
    favicon_url: null,
    logo_image: null,
    favicon_image: null,
    ...appUrls(options.appOrigin),
    support_email: null,
    branded: true,
    experimental_force_oauth_first: false,
    clerk_js_version: null,
    show_devmode_warning: true,
    google_one_tap_client_id: null,
    help_url: null,
    // The app's legal documents, where the instance asks for consent to them.
    ...legalUrls(options),
    // Captcha off (no key here, `sign_up.captcha_enabled` false): clerk-js loads no Turnstile.
    captcha_public_key: null,
    captcha_widget_type: null,
    captcha_public_key_invisible: null,
    captcha_provider: null,
    captcha_oauth_bypass: [],
    captcha_heartbeat: false,
  };
}

// "required", "on" or "off", as the auth config names an attribute's state.
const state = (a: { enabled: boolean; required: boolean }) =>
  a.required ? "required" : a.enabled ? "on" : "off";

function authConfig(s: InstanceSettings) {
  const ids = s.identifiers;
  const identifiers = listed({
    email_address: ids.email_address.sign_in,
    phone_number: ids.phone_number.sign_in,
    username: ids.username.sign_in,
  });
  return {
    object: "auth_config",
    id: "aac_emulator",
    first_name: state(s.personal_information.first_and_last_name),
    last_name: state(s.personal_information.first_and_last_name),
    email_address: state(ids.email_address),
    phone_number: state(ids.phone_number),
    username: state(ids.username),
    password: s.first_factors.password ? "required" : "off",
    identification_requirements: [
      listed({
        email_address: ids.email_address.required,
        phone_number: ids.phone_number.required,
        username: ids.username.required,
      }),
    ],
    identification_strategies: [...identifiers, ...socialStrategies(s)],
    // A password-reset code is what "Forgot password?" on <SignIn/> sends.
    first_factors: [
      ...listed({
        email_code: s.first_factors.email_code,
        email_link: s.first_factors.email_link,
        phone_code: s.first_factors.phone_code,
        passkey: s.first_factors.passkey,
        password: s.first_factors.password,
        reset_password_email_code: s.first_factors.password && ids.email_address.enabled,
      }),
      ...socialStrategies(s),
    ],
    second_factors: listed({
      totp: s.second_factors.totp,
      backup_code: s.second_factors.backup_code,
      phone_code: s.second_factors.phone_code,
    }),
    email_address_verification_strategies: ids.email_address.enabled ? emailVerifications(s) : [],
    // One signed-in session per browser, as the app's UI assumes.
    single_session_mode: true,
    enhanced_email_deliverability: false,
    // Development test mode: `+clerk_test` addresses accept the code 424242 (as the emulator does).
    test_mode: true,
    // Development instances sync the dev browser through the URL (`__clerk_db_jwt`).
    url_based_session_syncing: true,
    claimed_at: null,
    // The emulator never asks for reverification, so the UI must not expect it.
    reverification: false,
    native_settings: {
      object: "native_settings",
      api_enabled: false,
      trusted_device_sign_in_enabled: false,
      trusted_device_enrollment_prompt_after_sign_in_enabled: false,
      trusted_device_enrollment_prompt_after_sign_up_enabled: false,
    },
  };
}

// `OrganizationSettings.DomainsSettings`: verified domains and the enrollment modes they offer.
function domainsJSON(settings: InstanceSettings) {
  const domains = domainSettingsOf(settings.organizations.verified_domains);
  return {
    enabled: domains.enabled,
    enrollment_modes: [...domains.enrollmentModes],
    default_role: domains.defaultRole,
  };
}

export function environmentJSON(options: EnvironmentOptions): Record<string, unknown> {
  return {
    auth_config: authConfig(options.settings),
    display_config: displayConfig(options),
    user_settings: userSettings(options.settings),
    organization_settings: {
      enabled: true,
      // 0 is "unlimited" to @clerk/ui (it checks `maxAllowedMemberships === 0`).
      max_allowed_memberships: 0,
      actions: { admin_delete: true },
      domains: domainsJSON(options.settings),
      // Sent only where the instance has "Membership required", as Clerk does; the spec's closed
      // schema leaves it out (tests/support/openapi-contract.ts lists it among its errata).
      ...(options.settings.organizations.membership_required
        ? { force_organization_selection: true }
        : {}),
      slug: { disabled: false },
      creator_role: CREATOR_ROLE,
    },
    fraud_settings: { object: "fraud_settings", native: { device_attestation_mode: "disabled" } },
    commerce_settings: {
      billing: {
        stripe_publishable_key: null,
        free_trial_requires_payment_method: false,
        user: { enabled: false, has_paid_plans: false },
        // Organizations pay (clerk/billing-plans.json); users have no plans.
        organization: { enabled: true, has_paid_plans: options.organizationPaidPlans ?? false },
      },
    },
    // <APIKeys/> refuses to mount unless the kind of key it shows is enabled here.
    api_keys_settings: { enabled: true, user_api_keys_enabled: true, orgs_api_keys_enabled: true },
    // Protect loaders are scripts clerk-js would inject from Clerk's servers.
    protect_config: { loaders: [] },
    client_debug_mode: false,
    partitioned_cookies: false,
    maintenance_mode: false,
  };
}
