import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInstanceSettings } from "../../../clerk/instance-settings";
import { readOrganizationRoles } from "../../../clerk/organization-roles";
import type { Core } from "../../../emulator/src/core";
import { offeredSettings } from "../../../emulator/src/domain/instance-settings";
import {
  findRoleByKey,
  permissionKeysOf,
  seedOrganizationRoles,
} from "../../../emulator/src/domain/roles";
import { environmentJSON } from "../../../emulator/src/json/environment";
import {
  fapiClientJSON,
  fapiDeletedObjectJSON,
  fapiImageJSON,
  fapiInvitationJSON,
  fapiMembershipJSON,
  fapiOrganizationJSON,
  fapiRoleJSON,
  fapiRolesList,
  fapiSessionJSON,
  fapiSignInJSON,
  fapiSignUpJSON,
  fapiUserJSON,
} from "../../../emulator/src/json/fapi-json";
import type { CollectionName, RecordOf } from "../../../emulator/src/store/indexes";
import type {
  ClientRecord,
  EmulatorState,
  MembershipRecord,
  OrganizationInvitationRecord,
  OrganizationRecord,
  SessionRecord,
  SignInRecord,
  SignUpRecord,
  UserRecord,
  VerificationRecord,
} from "../../../emulator/src/store/records";
import { Store } from "../../../emulator/src/store/store";
import { FAPI_SPEC, loadContract } from "../../support/openapi-contract";

// The Frontend API builders, held to Clerk's FAPI spec and to what clerk-js reads from them.

const contract = loadContract(FAPI_SPEC);

function expectComponent(schema: string, value: unknown) {
  const result = contract.validateComponent(schema, value);
  expect(result.ok ? [] : result.errors, schema).toEqual([]);
}

// The body an endpoint sends, checked against the schema the spec documents for it.
function expectResponse(method: string, path: string, body: unknown) {
  const result = contract.validateResponse({ method, path, status: 200, body });
  expect(result.ok ? [] : result.errors, `${method} ${path}`).toEqual([]);
}

const NOW = Date.UTC(2026, 4, 12, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

// Ids in Clerk's format: a prefix and 27 base62 characters.
const id = (prefix: string, name: string) => `${prefix}_${name.padEnd(27, "0")}`;

function user(name: string, options: { password: boolean }): UserRecord {
  const emailId = id("idn", name);
  return {
    id: id("user", name),
    externalId: null,
    username: null,
    firstName: name,
    lastName: "Example",
    emailAddresses: [
      {
        id: emailId,
        emailAddress: `${name}@example.com`,
        verified: true,
        createdAt: NOW - DAY,
        updatedAt: NOW - DAY,
      },
    ],
    primaryEmailAddressId: emailId,
    phoneNumbers: [],
    primaryPhoneNumberId: null,
    passwordHash: options.password ? "scrypt$not-a-real-hash" : null,
    totp: null,
    backupCodes: null,
    passkeys: [],
    mfaEnabledAt: null,
    mfaDisabledAt: null,
    publicMetadata: { plan: "team" },
    privateMetadata: { secret: "never in the Frontend API" },
    unsafeMetadata: {},
    banned: false,
    locked: false,
    lastSignInAt: NOW - MINUTE,
    lastActiveAt: NOW - MINUTE,
    createdAt: NOW - DAY,
    updatedAt: NOW - DAY,
  };
}

const admin = user("ada", { password: true });
// Added three addresses in <UserProfile/>: one verified with its code, one whose code is
// pending, one not sent a code yet.
const eve = user("eve", { password: true });
const collector: UserRecord = {
  ...eve,
  image: {
    id: id("img", "eve"),
    name: "eve.png",
    contentType: "image/png",
    data: "iVBORw0KGgo=",
    url: `http://localhost:3000/__clerk/v1/images/${id("img", "eve")}`,
    createdAt: NOW - MINUTE,
  },
  emailAddresses: [
    ...eve.emailAddresses,
    {
      id: id("idn", "evework"),
      emailAddress: "eve@work.example.com",
      verified: true,
      verification: {
        strategy: "email_code",
        status: "verified",
        emailAddressId: id("idn", "evework"),
        codeHash: "0".repeat(64),
        attempts: 1,
        expireAt: NOW + 10 * MINUTE,
      },
      createdAt: NOW - MINUTE,
      updatedAt: NOW - MINUTE,
    },
    {
      id: id("idn", "evehome"),
      emailAddress: "eve@home.example.com",
      verified: false,
      verification: {
        strategy: "email_code",
        status: "unverified",
        emailAddressId: id("idn", "evehome"),
        codeHash: "0".repeat(64),
        attempts: 0,
        expireAt: NOW + 10 * MINUTE,
      },
      createdAt: NOW - MINUTE,
      updatedAt: NOW - MINUTE,
    },
    {
      id: id("idn", "evenew"),
      emailAddress: "eve@new.example.com",
      verified: false,
      createdAt: NOW - MINUTE,
      updatedAt: NOW - MINUTE,
    },
  ],
};
const member = user("bob", { password: true });
const passwordless = user("cy", { password: false });

const org: OrganizationRecord = {
  id: id("org", "acme"),
  name: "Acme",
  slug: "acme",
  publicMetadata: {},
  privateMetadata: { billing: "never in the Frontend API" },
  maxAllowedMemberships: 0,
  adminDeleteEnabled: true,
  createdBy: admin.id,
  createdAt: NOW - DAY,
  updatedAt: NOW - DAY,
};

function membership(u: UserRecord, role: string): MembershipRecord {
  return {
    id: id("orgmem", u.firstName ?? ""),
    organizationId: org.id,
    userId: u.id,
    role,
    publicMetadata: {},
    privateMetadata: {},
    createdAt: NOW - DAY,
    updatedAt: NOW - DAY,
  };
}

const adminMembership = membership(admin, "org:admin");
const memberMembership = membership(member, "org:member");

function session(name: string, u: UserRecord, overrides: Partial<SessionRecord> = {}) {
  return {
    id: id("sess", name),
    clientId: id("client", "browser"),
    userId: u.id,
    status: "active",
    lastActiveOrganizationId: null,
    lastActiveAt: NOW - MINUTE,
    expireAt: NOW + 7 * DAY,
    abandonAt: NOW + 30 * DAY,
    firstFactorVerifiedAt: NOW - 5 * MINUTE,
    secondFactorVerifiedAt: null,
    reverification: null,
    createdAt: NOW - 5 * MINUTE,
    updatedAt: NOW - MINUTE,
    ...overrides,
  } satisfies SessionRecord;
}

const withOrg = session("withorg", admin, { lastActiveOrganizationId: org.id });
const withoutOrg = session("withoutorg", member);
const ended = session("ended", admin, { status: "ended" });
const lapsed = session("lapsed", admin, { expireAt: NOW - MINUTE });

function codeVerification(
  status: VerificationRecord["status"],
  strategy: VerificationRecord["strategy"] = "email_code",
): VerificationRecord {
  return {
    strategy,
    status,
    emailAddressId: admin.primaryEmailAddressId,
    codeHash: "0".repeat(64),
    attempts: status === "unverified" ? 0 : 1,
    expireAt: NOW + 10 * MINUTE,
  };
}

const ticketVerified: VerificationRecord = {
  strategy: "ticket",
  status: "verified",
  emailAddressId: null,
  codeHash: null,
  attempts: 1,
  expireAt: null,
};

const passwordVerified: VerificationRecord = {
  strategy: "password",
  status: "verified",
  emailAddressId: null,
  codeHash: null,
  attempts: 1,
  expireAt: null,
};

function signIn(name: string, overrides: Partial<SignInRecord> = {}): SignInRecord {
  return {
    id: id("sia", name),
    clientId: id("client", "browser"),
    status: "needs_first_factor",
    identifier: admin.emailAddresses[0]?.emailAddress ?? null,
    userId: admin.id,
    firstFactorVerification: null,
    secondFactorVerification: null,
    invitationId: null,
    createdSessionId: null,
    createdAt: NOW - MINUTE,
    updatedAt: NOW - MINUTE,
    abandonAt: NOW + DAY,
    ...overrides,
  };
}

const signIns = {
  needsIdentifier: signIn("needsidentifier", {
    status: "needs_identifier",
    identifier: null,
    userId: null,
  }),
  needsFirstFactor: signIn("needsfirstfactor"),
  passwordless: signIn("passwordless", {
    identifier: "cy@example.com",
    userId: passwordless.id,
  }),
  codeSent: signIn("codesent", { firstFactorVerification: codeVerification("unverified") }),
  codeFailed: signIn("codefailed", { firstFactorVerification: codeVerification("failed") }),
  codeExpired: signIn("codeexpired", { firstFactorVerification: codeVerification("expired") }),
  completeWithPassword: signIn("password", {
    status: "complete",
    firstFactorVerification: passwordVerified,
    createdSessionId: withOrg.id,
  }),
  completeWithCode: signIn("code", {
    status: "complete",
    firstFactorVerification: codeVerification("verified"),
    createdSessionId: withOrg.id,
  }),
  resetCodeSent: signIn("resetcodesent", {
    firstFactorVerification: codeVerification("unverified", "reset_password_email_code"),
  }),
  needsNewPassword: signIn("needsnewpassword", {
    status: "needs_new_password",
    firstFactorVerification: codeVerification("verified", "reset_password_email_code"),
  }),
  completeAfterReset: signIn("reset", {
    status: "complete",
    firstFactorVerification: codeVerification("verified", "reset_password_email_code"),
    createdSessionId: withOrg.id,
  }),
  completeWithTicket: signIn("ticket", {
    status: "complete",
    firstFactorVerification: ticketVerified,
    invitationId: id("orginv", "member"),
    createdSessionId: withOrg.id,
  }),
};

function signUp(name: string, overrides: Partial<SignUpRecord> = {}): SignUpRecord {
  return {
    id: id("sua", name),
    clientId: id("client", "browser"),
    status: "missing_requirements",
    emailAddress: null,
    firstName: null,
    lastName: null,
    passwordHash: null,
    emailVerification: null,
    username: null,
    phoneNumber: null,
    phoneVerification: null,
    invitationId: null,
    createdUserId: null,
    createdSessionId: null,
    createdAt: NOW - MINUTE,
    updatedAt: NOW - MINUTE,
    abandonAt: NOW + DAY,
    ...overrides,
  };
}

const newcomer = { emailAddress: "dee@example.com", passwordHash: "scrypt$not-a-real-hash" };

// Each stage a sign-up goes through, in order.
const signUps = {
  empty: signUp("empty"),
  emailOnly: signUp("emailonly", { emailAddress: newcomer.emailAddress }),
  emailAndPassword: signUp("emailandpassword", newcomer),
  named: signUp("named", { ...newcomer, firstName: "Dee", lastName: "Example" }),
  codeSent: signUp("codesent", { ...newcomer, emailVerification: codeVerification("unverified") }),
  codeExpired: signUp("codeexpired", {
    ...newcomer,
    emailVerification: codeVerification("expired"),
  }),
  complete: signUp("complete", {
    ...newcomer,
    status: "complete",
    emailVerification: codeVerification("verified"),
    createdUserId: admin.id,
    createdSessionId: withOrg.id,
  }),
  // An invitation's ticket verified the address: only the password is missing.
  ticketOnly: signUp("ticketonly", {
    emailAddress: newcomer.emailAddress,
    emailVerification: ticketVerified,
    invitationId: id("orginv", "newcomer"),
  }),
  completeWithTicket: signUp("ticketcomplete", {
    ...newcomer,
    status: "complete",
    emailVerification: ticketVerified,
    invitationId: id("orginv", "newcomer"),
    createdUserId: member.id,
    createdSessionId: withOrg.id,
  }),
};

function invitation(
  name: string,
  overrides: Partial<OrganizationInvitationRecord> = {},
): OrganizationInvitationRecord {
  return {
    id: id("orginv", name),
    organizationId: org.id,
    emailAddress: `${name}@example.com`,
    role: "org:viewer",
    status: "pending",
    inviterUserId: admin.id,
    userId: null,
    publicMetadata: { team: "design" },
    privateMetadata: { note: "never in the Frontend API" },
    redirectUrl: null,
    acceptLink: `http://localhost:3000/sign-up?__clerk_ticket=secret-${name}`,
    expiresAt: NOW + 30 * DAY,
    createdAt: NOW - MINUTE,
    updatedAt: NOW - MINUTE,
    ...overrides,
  };
}

const invitations = {
  pending: invitation("newcomer"),
  accepted: invitation("joined", { status: "accepted", userId: member.id }),
  revoked: invitation("revoked", { status: "revoked" }),
  expired: invitation("late", { expiresAt: NOW - MINUTE }),
};

function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: id("client", "browser"),
    devBrowserId: id("dvb", "browser"),
    sessionIds: [withOrg.id, ended.id, lapsed.id],
    lastActiveSessionId: withOrg.id,
    signInId: null,
    signUpId: null,
    createdAt: NOW - DAY,
    updatedAt: NOW - MINUTE,
    ...overrides,
  };
}

const byId = <T extends { id: string }>(...records: T[]) =>
  Object.fromEntries(records.map((r) => [r.id, r]));

const state = {
  users: byId(admin, member, passwordless, collector),
  organizations: byId(org),
  memberships: byId(adminMembership, memberMembership),
  sessions: byId(withOrg, withoutOrg, ended, lapsed),
  signIns: byId(...Object.values(signIns)),
  signUps: byId(...Object.values(signUps)),
  roles: {},
  permissions: {},
  invitations: byId(...Object.values(invitations)),
} satisfies Partial<EmulatorState>;

// A real store (its indexes answer the builders' lookups) holding `records` and the roles of
// clerk/organization-roles.json, in a scratch folder.
const declaration = readOrganizationRoles();
const scratch: { dir: string; store: Store }[] = [];
afterAll(async () => {
  for (const { dir, store } of scratch) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
function storeWith(records: typeof state): Store {
  const dir = mkdtempSync(path.join(tmpdir(), "fapi-json-"));
  const store = new Store(dir, () => {});
  scratch.push({ dir, store });
  for (const [collection, byIdMap] of Object.entries(records)) {
    for (const record of Object.values(byIdMap)) {
      store.put(collection as CollectionName, record as RecordOf<CollectionName>);
    }
  }
  seedOrganizationRoles({ store, now: () => NOW } as unknown as Core, declaration);
  return store;
}

// Only what the builders touch: the state, the clock and the instance settings.
const declared = readInstanceSettings();
const core = {
  store: storeWith(state),
  now: () => NOW,
  instanceSettings: declared,
} as unknown as Core;
const offered = offeredSettings(core);
const role = (key: string) => {
  const found = findRoleByKey(core, key);
  if (!found) throw new Error(`no role ${key}`);
  return found;
};

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl";

describe("environmentJSON", () => {
  const appOrigin = "http://localhost:3000";
  const env = environmentJSON({ applicationName: "Projects", settings: offered, appOrigin });
  const settings = env as {
    organization_settings: { enabled: boolean; max_allowed_memberships: number };
    api_keys_settings: Record<string, boolean>;
    display_config: Record<string, unknown>;
    auth_config: Record<string, unknown>;
    protect_config: { loaders: unknown[] };
    user_settings: {
      attributes: Record<string, { enabled: boolean; used_for_first_factor: boolean }>;
      sign_up: { captcha_enabled: boolean };
    };
  };

  it("is a Client.Environment, with and without an app origin", () => {
    expectComponent("Client.Environment", env);
    expectResponse("GET", "/v1/environment", env);
    expectResponse("PATCH", "/v1/environment", env);
    expectComponent(
      "Client.Environment",
      environmentJSON({ applicationName: "Projects", settings: offered, appOrigin: null }),
    );
  });

  it("describes a development instance with organizations and both kinds of API keys", () => {
    expect(settings.display_config.instance_environment_type).toBe("development");
    expect(settings.display_config.application_name).toBe("Projects");
    expect(settings.organization_settings.enabled).toBe(true);
    expect(settings.organization_settings.max_allowed_memberships).toBe(0);
    expect(settings.api_keys_settings).toMatchObject({
      user_api_keys_enabled: true,
      orgs_api_keys_enabled: true,
    });
    expect(settings.auth_config).toMatchObject({ single_session_mode: true, claimed_at: null });
    expect(settings.auth_config).not.toHaveProperty("session_minter");
  });

  it("offers verified domains with the enrollment modes the instance settings allow", () => {
    const domains = (e: unknown) =>
      (e as { organization_settings: { domains: unknown } }).organization_settings.domains;
    expect(domains(env)).toEqual({
      enabled: true,
      enrollment_modes: ["manual_invitation", "automatic_invitation", "automatic_suggestion"],
      default_role: "org:member",
    });
    const envWith = (verified_domains: typeof offered.organizations.verified_domains) =>
      environmentJSON({
        applicationName: "Projects",
        settings: { ...offered, organizations: { ...offered.organizations, verified_domains } },
        appOrigin,
      });
    const suggestionsOnly = envWith({
      enabled: true,
      automatic_invitation: false,
      automatic_suggestion: true,
    });
    expectComponent("Client.Environment", suggestionsOnly);
    expect(domains(suggestionsOnly)).toMatchObject({
      enrollment_modes: ["manual_invitation", "automatic_suggestion"],
    });
    const off = envWith({
      enabled: false,
      automatic_invitation: false,
      automatic_suggestion: false,
    });
    expect(domains(off)).toMatchObject({ enabled: false, enrollment_modes: [] });
  });

  it("offers email and password, passkeys, an authenticator app and backup codes (and invitation tickets), with email the one identifier", () => {
    const enabled = Object.entries(settings.user_settings.attributes)
      .filter(([, a]) => a.enabled)
      .map(([name]) => name);
    expect(enabled.sort()).toEqual([
      "authenticator_app",
      "backup_code",
      "email_address",
      "first_name",
      "last_name",
      "passkey",
      "password",
      "ticket",
    ]);
    const firstFactors = Object.entries(settings.user_settings.attributes)
      .filter(([, a]) => a.used_for_first_factor)
      .map(([name]) => name);
    expect(firstFactors).toEqual(["email_address", "passkey"]);
    expect(settings.auth_config.second_factors).toEqual(["totp", "backup_code"]);
  });

  it("loads nothing from other hosts: no captcha, Protect loaders or images", () => {
    expect(settings.user_settings.sign_up.captcha_enabled).toBe(false);
    expect(settings.display_config.captcha_public_key).toBeNull();
    expect(settings.display_config.captcha_provider).toBeNull();
    expect(settings.protect_config.loaders).toEqual([]);
    expect(settings.display_config.logo_image_url).toBe("");
    const urls = JSON.stringify(env).match(/https?:\/\/[^"]*/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(`${appOrigin}/`)).toBe(true);
    const withoutOrigin = environmentJSON({
      applicationName: "Projects",
      settings: offered,
      appOrigin: null,
    });
    expect(JSON.stringify(withoutOrigin)).not.toMatch(/https?:/);
  });

  // clerk-js reads these, but the spec's schemas are closed and do not list them: they are left
  // out, and clerk-js falls back to false or empty, which is what this instance wants.
  it.each([
    ["auth_config", { session_minter: false }],
    ["protect_config", { object: "protect_config", id: "protect_config_emulator" }],
  ])("leaves out what the spec does not allow in %s", (key, extra) => {
    const section = (env as Record<string, object>)[key];
    const result = contract.validateComponent("Client.Environment", {
      ...env,
      [key]: { ...section, ...extra },
    });
    expect(result.ok).toBe(false);
  });

  it("says an organization is required (force_organization_selection) only where membership is", () => {
    const organizationSettings = (e: unknown) =>
      (e as { organization_settings: Record<string, unknown> }).organization_settings;
    expect(organizationSettings(env)).not.toHaveProperty("force_organization_selection");
    const required = environmentJSON({
      applicationName: "Projects",
      settings: {
        ...offered,
        organizations: { ...offered.organizations, membership_required: true },
      },
      appOrigin,
    });
    expect(organizationSettings(required).force_organization_selection).toBe(true);
    // Clerk's spec does not list it (a listed erratum of tests/support/openapi-contract.ts).
    expectComponent("Client.Environment", required);
  });

  it("points the UI at the app's own pages", () => {
    expect(settings.display_config).toMatchObject({
      sign_in_url: `${appOrigin}/sign-in`,
      sign_up_url: `${appOrigin}/sign-up`,
      user_profile_url: `${appOrigin}/settings`,
      after_sign_in_url: `${appOrigin}/onboarding`,
      after_sign_up_url: `${appOrigin}/onboarding`,
    });
  });
});

describe("users, organizations and memberships", () => {
  it("build a Client.User with its memberships, and no private metadata", () => {
    for (const u of [admin, member, passwordless, collector]) {
      const json = fapiUserJSON(core, u);
      expectComponent("Client.User", json);
      expect(json).not.toHaveProperty("private_metadata");
      expect(JSON.stringify(json)).not.toContain("never in the Frontend API");
    }
    const json = fapiUserJSON(core, admin);
    expect(json.password_enabled).toBe(true);
    expect(fapiUserJSON(core, passwordless).password_enabled).toBe(false);
    expect(json.email_addresses[0]?.verification?.status).toBe("verified");
    expect(json.organization_memberships.map((m) => m.organization.id)).toEqual([org.id]);
    expect(fapiUserJSON(core, passwordless).organization_memberships).toEqual([]);
  });

  it("show how each address was verified, and which still waits for its code", () => {
    const [primary, work, home, fresh] = fapiUserJSON(core, collector).email_addresses;
    expect(primary?.verification).toMatchObject({
      object: "verification_admin",
      status: "verified",
    });
    expect(work?.verification).toMatchObject({
      object: "verification_otp",
      status: "verified",
      strategy: "email_code",
    });
    expect(home?.verification).toMatchObject({
      object: "verification_otp",
      status: "unverified",
      expire_at: NOW + 10 * MINUTE,
    });
    expect(fresh?.verification).toBeNull();
    for (const email of [primary, work, home, fresh]) expectComponent("Client.EmailAddress", email);
  });

  it("show a user's upload, or else an avatar @clerk/ui knows is generated", () => {
    const uploaded = fapiUserJSON(core, collector);
    expect(uploaded).toMatchObject({ image_url: collector.image?.url, has_image: true });
    const generated = fapiUserJSON(core, admin);
    expect(generated.has_image).toBe(false);
    // What @clerk/ui's isDefaultImage() looks for before it offers "Remove".
    expect(generated.image_url).toMatch(/^data:image\/svg\+xml;.*avatar_placeholder/);
    const membershipOf = fapiMembershipJSON(core, adminMembership);
    expect(membershipOf.public_user_data.image_url).toBe(generated.image_url);
  });

  it("let a user do what the environment allows, and nothing else", () => {
    const env = environmentJSON({
      applicationName: "Projects",
      settings: offered,
      appOrigin: null,
    }) as {
      user_settings: { actions: { delete_self: boolean; create_organization: boolean } };
    };
    const json = fapiUserJSON(core, member);
    expect(json.delete_self_enabled).toBe(env.user_settings.actions.delete_self);
    expect(json.create_organization_enabled).toBe(env.user_settings.actions.create_organization);
    expect(json.create_organization_enabled).toBe(true);
  });

  it("build a Client.Organization that counts its members and pending invitations", () => {
    const json = fapiOrganizationJSON(core, org);
    expectComponent("Client.Organization", json);
    expect(json.members_count).toBe(2);
    expect(json.pending_invitations_count).toBe(1);
  });

  it("give an organization without a logo a generated one, as Clerk does, never an empty URL", () => {
    // <OAuthConsent/>'s organization picker draws `image_url` as it is: an empty one is a broken
    // image. Clerk's is a default logo on its image host, with `has_image` false.
    const json = fapiOrganizationJSON(core, org);
    expect(json.has_image).toBe(false);
    // What @clerk/ui's isDefaultImage() looks for before <OrganizationProfile/> offers "Remove".
    expect(json.image_url).toMatch(/^data:image\/svg\+xml;name=avatar_placeholder;base64,/);
    const svg = Buffer.from(json.image_url.split(",")[1] ?? "", "base64").toString();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg".*>A<\/text><\/svg>$/);
    expect(fapiMembershipJSON(core, adminMembership).organization.image_url).toBe(json.image_url);
    expect(fapiInvitationJSON(core, invitations.pending).public_organization_data).toMatchObject({
      image_url: json.image_url,
      has_image: false,
    });
  });

  it("list every permission of the role, system ones included", () => {
    const adminJSON = fapiMembershipJSON(core, adminMembership);
    const memberJSON = fapiMembershipJSON(core, memberMembership);
    expectComponent("Client.OrganizationMembership", adminJSON);
    expectComponent("Client.OrganizationMembership", memberJSON);
    expect(adminJSON.permissions).toEqual(permissionKeysOf(core, "org:admin"));
    expect(adminJSON.permissions).toEqual(
      expect.arrayContaining(["org:sys_api_keys:read", "org:sys_api_keys:manage"]),
    );
    expect(memberJSON.permissions).not.toContain("org:sys_api_keys:manage");
    expect(adminJSON.role_name).toBe("Admin");
    expect(memberJSON.public_user_data.user_id).toBe(member.id);
    expect(memberJSON.public_user_data.identifier).toBe("bob@example.com");
  });
});

describe("fapiSessionJSON", () => {
  it("builds a Client.Session, with and without a token and an active organization", () => {
    for (const s of [withOrg, withoutOrg]) {
      for (const token of [JWT, null]) {
        const json = fapiSessionJSON(core, s, token);
        expectComponent("Client.Session", json);
        expectComponent("Client.Session-2", json);
      }
    }
    expect(fapiSessionJSON(core, withOrg, JWT).last_active_token).toEqual({
      object: "token",
      jwt: JWT,
    });
    expect(fapiSessionJSON(core, withOrg, null).last_active_token).toBeNull();
  });

  // clerk-js resolves the active organization this way (Session.checkAuthorization).
  it("lets clerk-js find the active membership and its permissions in the user", () => {
    const json = fapiSessionJSON(core, withOrg, JWT);
    const active = json.user.organization_memberships.find(
      (m) => m.organization.id === json.last_active_organization_id,
    );
    expect(active?.permissions).toContain("org:sys_api_keys:manage");
    const personal = fapiSessionJSON(core, withoutOrg, JWT);
    expect(personal.last_active_organization_id).toBeNull();
    expect(personal.public_user_data.identifier).toBe("bob@example.com");
  });
});

describe("fapiSignInJSON", () => {
  it.each(Object.entries(signIns))("builds a Client.SignIn (%s)", (_, record) => {
    const json = fapiSignInJSON(core, record);
    expectComponent("Client.SignIn", json);
    expectComponent("Client.SignIn-2", json);
  });

  it("offers a password and its reset only to users who have one, and always the emailed code and link", () => {
    const strategies = (record: SignInRecord) =>
      fapiSignInJSON(core, record).supported_first_factors.map((f) => f.strategy);
    expect(strategies(signIns.needsFirstFactor)).toEqual([
      "password",
      "email_code",
      "email_link",
      "reset_password_email_code",
    ]);
    expect(strategies(signIns.passwordless)).toEqual(["email_code", "email_link"]);
    expect(strategies(signIns.needsIdentifier)).toEqual([]);
    const toPrimary = {
      email_address_id: admin.primaryEmailAddressId,
      safe_identifier: "ada@example.com",
      primary: true,
    };
    expect(fapiSignInJSON(core, signIns.needsFirstFactor).supported_first_factors.slice(1)).toEqual(
      [
        { strategy: "email_code", ...toPrimary },
        { strategy: "email_link", ...toPrimary },
        { strategy: "reset_password_email_code", ...toPrimary },
      ],
    );
  });

  it("waits for a new password once the reset code is accepted", () => {
    expect(fapiSignInJSON(core, signIns.resetCodeSent).first_factor_verification).toMatchObject({
      status: "unverified",
      strategy: "reset_password_email_code",
    });
    expect(fapiSignInJSON(core, signIns.needsNewPassword)).toMatchObject({
      status: "needs_new_password",
      first_factor_verification: { status: "verified", strategy: "reset_password_email_code" },
      created_session_id: null,
    });
  });

  it("reports the first factor verification and the created session", () => {
    expect(fapiSignInJSON(core, signIns.needsFirstFactor).first_factor_verification).toBeNull();
    expect(fapiSignInJSON(core, signIns.codeSent).first_factor_verification).toMatchObject({
      status: "unverified",
      strategy: "email_code",
      expire_at: NOW + 10 * MINUTE,
    });
    const complete = fapiSignInJSON(core, signIns.completeWithPassword);
    expect(complete.first_factor_verification).toMatchObject({
      status: "verified",
      strategy: "password",
    });
    expect(complete.created_session_id).toBe(withOrg.id);
    expect(complete.user_data).toMatchObject({ first_name: "ada", has_image: false });
    expect(fapiSignInJSON(core, signIns.needsIdentifier).user_data).toBeNull();
  });
});

describe("fapiSignUpJSON", () => {
  it.each(Object.entries(signUps))("builds a Client.SignUp (%s)", (_, record) => {
    expectComponent("Client.SignUp", fapiSignUpJSON(core, record));
  });

  it("asks for fewer fields as they are given", () => {
    const missing = (record: SignUpRecord) => fapiSignUpJSON(core, record).missing_fields;
    expect(missing(signUps.empty)).toEqual(["email_address", "password"]);
    expect(missing(signUps.emailOnly)).toEqual(["password"]);
    expect(missing(signUps.emailAndPassword)).toEqual([]);
    expect(missing(signUps.named)).toEqual([]);
  });

  it("keeps the email unverified until its code is entered", () => {
    const json = (record: SignUpRecord) => fapiSignUpJSON(core, record);
    expect(json(signUps.empty).unverified_fields).toEqual([]);
    expect(json(signUps.emailAndPassword).unverified_fields).toEqual(["email_address"]);
    // No verification until a code was sent: @clerk/ui then sends the first one itself.
    expect(json(signUps.emailAndPassword).verifications.email_address).toBeNull();
    expect(json(signUps.codeSent).verifications.email_address).toMatchObject({
      status: "unverified",
      strategy: "email_code",
      next_action: "needs_attempt",
      supported_strategies: ["email_code"],
    });
    expect(json(signUps.codeExpired).verifications.email_address?.next_action).toBe(
      "needs_prepare",
    );
    const complete = json(signUps.complete);
    expect(complete.unverified_fields).toEqual([]);
    expect(complete.verifications.email_address?.next_action).toBe("");
    expect(complete).toMatchObject({
      status: "complete",
      created_user_id: admin.id,
      created_session_id: withOrg.id,
      password_enabled: true,
    });
  });
});

describe("fapiClientJSON", () => {
  const tokens = new Map([[withOrg.id, JWT]]);

  it("builds a Client.Client listing only the active sessions", () => {
    const json = fapiClientJSON(core, client(), tokens);
    expectComponent("Client.Client", json);
    expectComponent("Client.Client-2", json);
    expect(json.sessions.map((s) => s.id)).toEqual([withOrg.id]);
    expect(json.sessions[0]?.last_active_token).toEqual({ object: "token", jwt: JWT });
    expect(json.last_active_session_id).toBe(withOrg.id);
    expect(json.cookie_expires_at).toBeNull();
    expect(json.captcha_bypass).toBe(false);
  });

  it("sends a session without a token as one without last_active_token", () => {
    const json = fapiClientJSON(core, client(), new Map());
    expect(json.sessions[0]?.last_active_token).toBeNull();
  });

  it("is signed out when the last active session is no longer active", () => {
    const json = fapiClientJSON(
      core,
      client({ sessionIds: [ended.id], lastActiveSessionId: ended.id }),
      tokens,
    );
    expectComponent("Client.Client-2", json);
    expect(json.sessions).toEqual([]);
    expect(json.last_active_session_id).toBeNull();
  });

  it("carries the sign-in or sign-up in progress, and a finished one only while its session lasts", () => {
    const signingIn = fapiClientJSON(
      core,
      client({ sessionIds: [], signInId: signIns.codeSent.id }),
      tokens,
    );
    expectComponent("Client.Client-2", signingIn);
    expect(signingIn.sign_in?.id).toBe(signIns.codeSent.id);
    const signingUp = fapiClientJSON(
      core,
      client({ sessionIds: [], signUpId: signUps.codeSent.id }),
      tokens,
    );
    expectComponent("Client.Client-2", signingUp);
    expect(signingUp.sign_up?.id).toBe(signUps.codeSent.id);
    // An OAuth callback finished it, and the page the browser lands on reads it here.
    const finished = fapiClientJSON(
      core,
      client({ signInId: signIns.completeWithCode.id }),
      tokens,
    );
    expectComponent("Client.Client-2", finished);
    expect(finished.sign_in).toMatchObject({ status: "complete", created_session_id: withOrg.id });
    const signedOut = fapiClientJSON(
      core,
      client({
        sessionIds: [ended.id],
        lastActiveSessionId: null,
        signInId: signIns.completeWithCode.id,
        signUpId: signUps.complete.id,
      }),
      tokens,
    );
    expect(signedOut.sign_in).toBeNull();
    expect(signedOut.sign_up).toBeNull();
    const abandoned = { ...signIns.codeSent, id: id("sia", "abandoned"), abandonAt: NOW - 1 };
    const abandonedCore = {
      ...core,
      store: storeWith({ ...state, signIns: byId(abandoned) }),
    } as unknown as Core;
    expect(fapiClientJSON(abandonedCore, client({ signInId: abandoned.id }), tokens).sign_in).toBe(
      null,
    );
  });
});

describe("roles", () => {
  it("build a Client.Role per declared role, with the permissions the roles file gives it", () => {
    const roles = fapiRolesList(core);
    expect(roles.map((r) => r.key)).toEqual(declaration.roles.map((r) => r.key));
    expect(roles.map((r) => r.key)).toContain("org:viewer");
    for (const json of roles) {
      expectComponent("Client.Role", json);
      const declared = declaration.roles.find((r) => r.key === json.key);
      expect(json.permissions.map((p) => p.key)).toEqual(declared?.permissions);
      for (const permission of json.permissions) expectComponent("Client.Permission", permission);
    }
  });

  it("make only the admin role eligible for an organization's creator", () => {
    expect(fapiRoleJSON(core, role("org:admin")).is_creator_eligible).toBe(true);
    expect(fapiRoleJSON(core, role("org:member")).is_creator_eligible).toBe(false);
    expect(fapiRoleJSON(core, role("org:viewer")).is_creator_eligible).toBe(false);
  });

  it("tell Clerk's system permissions from the app's own", () => {
    const types = Object.fromEntries(
      fapiRoleJSON(core, role("org:admin")).permissions.map((p) => [p.key, p.type]),
    );
    expect(types["org:sys_api_keys:manage"]).toBe("system");
    expect(types["org:projects:manage"]).toBe("user");
  });
});

describe("the envelopes the Frontend API answers with", () => {
  const signedIn = fapiClientJSON(core, client(), new Map([[withOrg.id, JWT]]));
  const signingIn = fapiClientJSON(
    core,
    client({ sessionIds: [], lastActiveSessionId: null, signInId: signIns.codeSent.id }),
    new Map(),
  );
  const signingUp = fapiClientJSON(
    core,
    client({ sessionIds: [], lastActiveSessionId: null, signUpId: signUps.codeSent.id }),
    new Map(),
  );
  const signedOut = fapiClientJSON(
    core,
    client({ sessionIds: [], lastActiveSessionId: null }),
    new Map(),
  );
  const signInId = signIns.codeSent.id;
  const signUpId = signUps.codeSent.id;

  it("client: GET /v1/client and sign-out", () => {
    expectComponent("Client.ClientWrappedClient", { response: signedIn, client: null });
    expectResponse("GET", "/v1/client", { response: signedIn, client: null });
    expectResponse("GET", "/v1/client", { response: signedOut, client: null });
    expectResponse("GET", "/v1/client", { response: null, client: null });
    expectResponse("DELETE", "/v1/client/sessions", { response: signedOut, client: signedOut });
    expectResponse("DELETE", "/v1/client", { response: signedOut, client: signedOut });
  });

  it("sign-in: create, prepare and attempt the first factor", () => {
    for (const record of Object.values(signIns)) {
      const body = { response: fapiSignInJSON(core, record), client: signingIn };
      expectComponent("Client.ClientWrappedSignIn", body);
      expectResponse("POST", "/v1/client/sign_ins", body);
      expectResponse("GET", `/v1/client/sign_ins/${signInId}`, body);
      expectResponse("POST", `/v1/client/sign_ins/${signInId}/prepare_first_factor`, body);
      expectResponse("POST", `/v1/client/sign_ins/${signInId}/attempt_first_factor`, body);
    }
    const completed = {
      response: fapiSignInJSON(core, signIns.completeWithPassword),
      client: signedIn,
    };
    expectResponse("POST", `/v1/client/sign_ins/${signInId}/attempt_first_factor`, completed);
    expectResponse("POST", `/v1/client/sign_ins/${signInId}/reset_password`, {
      response: fapiSignInJSON(core, signIns.completeAfterReset),
      client: signedIn,
    });
  });

  it("sign-up: create, update, prepare and attempt the verification", () => {
    for (const record of Object.values(signUps)) {
      const body = { response: fapiSignUpJSON(core, record), client: signingUp };
      expectComponent("Client.ClientWrappedSignUp", body);
      expectResponse("POST", "/v1/client/sign_ups", body);
      expectResponse("GET", `/v1/client/sign_ups/${signUpId}`, body);
      expectResponse("PATCH", `/v1/client/sign_ups/${signUpId}`, body);
      expectResponse("POST", `/v1/client/sign_ups/${signUpId}/prepare_verification`, body);
      expectResponse("POST", `/v1/client/sign_ups/${signUpId}/attempt_verification`, body);
    }
  });

  it("sessions: touch, end and remove", () => {
    const response = fapiSessionJSON(core, withOrg, JWT);
    expectComponent("Client.TouchWrappedSession", { response, client: signedIn });
    expectResponse("POST", `/v1/client/sessions/${withOrg.id}/touch`, {
      response,
      client: signedIn,
    });
    expectResponse("GET", `/v1/client/sessions/${withOrg.id}`, { response, client: signedIn });
    const endedJSON = fapiSessionJSON(core, ended, null);
    for (const action of ["end", "remove"]) {
      expectResponse("POST", `/v1/client/sessions/${ended.id}/${action}`, {
        response: endedJSON,
        client: signedOut,
      });
    }
  });

  it("the user: GET and PATCH /v1/me, and its organization memberships", () => {
    const body = { response: fapiUserJSON(core, admin), client: signedIn };
    expectComponent("Client.ClientWrappedUser", body);
    expectResponse("GET", "/v1/me", body);
    expectResponse("PATCH", "/v1/me", body);
    const memberships = [fapiMembershipJSON(core, adminMembership)];
    expectResponse("GET", "/v1/me/organization_memberships", {
      response: { data: memberships, total_count: memberships.length },
      client: signedIn,
    });
    expectResponse("DELETE", `/v1/me/organization_memberships/${org.id}`, {
      response: fapiDeletedObjectJSON("organization_membership", adminMembership.id),
      client: signedIn,
    });
  });

  it("the account: picture, email addresses, password change and deletion", () => {
    const emailId = id("idn", "evehome");
    for (const email of fapiUserJSON(core, collector).email_addresses) {
      const body = { response: email, client: signedIn };
      expectResponse("POST", "/v1/me/email_addresses", body);
      expectResponse("GET", `/v1/me/email_addresses/${emailId}`, body);
      expectResponse("POST", `/v1/me/email_addresses/${emailId}/prepare_verification`, body);
      expectResponse("POST", `/v1/me/email_addresses/${emailId}/attempt_verification`, body);
    }
    expectResponse("DELETE", `/v1/me/email_addresses/${emailId}`, {
      response: fapiDeletedObjectJSON("email_address", emailId),
      client: signedIn,
    });
    const image = collector.image as NonNullable<UserRecord["image"]>;
    expectResponse("POST", "/v1/me/profile_image", {
      response: fapiImageJSON(image),
      client: signedIn,
    });
    expectResponse("DELETE", "/v1/me/profile_image", {
      response: fapiDeletedObjectJSON("image", image.id),
      client: signedIn,
    });
    expectResponse("POST", "/v1/me/change_password", {
      response: fapiUserJSON(core, admin),
      client: signedIn,
    });
    expectResponse("DELETE", "/v1/me", {
      response: fapiDeletedObjectJSON("user", admin.id),
      client: signedOut,
    });
  });

  it("organizations: create, read, update, delete, memberships and roles", () => {
    const organization = { response: fapiOrganizationJSON(core, org), client: signedIn };
    expectComponent("Client.ClientWrappedOrganization", organization);
    expectResponse("POST", "/v1/organizations", organization);
    expectResponse("GET", `/v1/organizations/${org.id}`, organization);
    expectResponse("PATCH", `/v1/organizations/${org.id}`, organization);
    const deleted = fapiDeletedObjectJSON("organization", org.id);
    expectComponent("Client.DeletedObject", deleted);
    expectResponse("DELETE", `/v1/organizations/${org.id}`, {
      response: deleted,
      client: signedIn,
    });
    const memberships = [adminMembership, memberMembership].map((m) => fapiMembershipJSON(core, m));
    expectResponse("GET", `/v1/organizations/${org.id}/memberships`, {
      response: { data: memberships, total_count: memberships.length },
      client: signedIn,
    });
    for (const method of ["POST", "PATCH", "DELETE"]) {
      const path =
        method === "POST"
          ? `/v1/organizations/${org.id}/memberships`
          : `/v1/organizations/${org.id}/memberships/${member.id}`;
      expectResponse(method, path, { response: memberships[1], client: signedIn });
    }
    const roles = fapiRolesList(core);
    expectResponse("GET", `/v1/organizations/${org.id}/roles`, {
      response: { data: roles, total_count: roles.length },
      client: signedIn,
    });
  });
});

describe("organization invitations", () => {
  const signedIn = fapiClientJSON(core, client(), new Map([[withOrg.id, JWT]]));

  it("build a Client.OrganizationInvitation with the status it has now and no accept link", () => {
    const statuses = Object.values(invitations).map((inv) => {
      const json = fapiInvitationJSON(core, inv);
      expectComponent("Client.OrganizationInvitation", json);
      expectComponent("Client.OrganizationInvitationUserContext", json);
      expect(json.url).toBeNull();
      expect(JSON.stringify(json)).not.toContain("secret-");
      expect(JSON.stringify(json)).not.toContain("never in the Frontend API");
      return json.status;
    });
    expect(statuses).toEqual(["pending", "accepted", "revoked", "expired"]);
    expect(fapiInvitationJSON(core, invitations.pending)).toMatchObject({
      role: "org:viewer",
      role_name: "Viewer",
      public_organization_data: { id: org.id, name: "Acme", slug: "acme" },
    });
  });

  it("answer <OrganizationProfile/>, <OrganizationSwitcher/> and <OrganizationList/> in the spec's envelopes", () => {
    const one = fapiInvitationJSON(core, invitations.pending);
    const all = Object.values(invitations).map((inv) => fapiInvitationJSON(core, inv));
    expectResponse("POST", `/v1/organizations/${org.id}/invitations`, {
      response: one,
      client: signedIn,
    });
    expectResponse("POST", `/v1/organizations/${org.id}/invitations/bulk`, {
      response: [one],
      client: signedIn,
    });
    expectResponse("GET", `/v1/organizations/${org.id}/invitations`, {
      response: { data: all, total_count: all.length },
      client: signedIn,
    });
    expectResponse("POST", `/v1/organizations/${org.id}/invitations/${one.id}/revoke`, {
      response: fapiInvitationJSON(core, invitations.revoked),
      client: signedIn,
    });
    expectResponse("GET", "/v1/me/organization_invitations", {
      response: { data: all, total_count: all.length },
      client: signedIn,
    });
    expectResponse("POST", `/v1/me/organization_invitations/${one.id}/accept`, {
      response: fapiInvitationJSON(core, invitations.accepted),
      client: signedIn,
    });
  });

  it("report a ticket's verification on the sign-up (the address, verified) and the sign-in", () => {
    const ticketOnly = fapiSignUpJSON(core, signUps.ticketOnly);
    expect(ticketOnly).toMatchObject({
      email_address: newcomer.emailAddress,
      missing_fields: ["password"],
      unverified_fields: [],
    });
    expect(ticketOnly.verifications.email_address).toMatchObject({
      object: "verification_ticket",
      status: "verified",
      strategy: "ticket",
      next_action: "",
    });
    expect(fapiSignInJSON(core, signIns.completeWithTicket).first_factor_verification).toEqual({
      object: "verification_ticket",
      status: "verified",
      strategy: "ticket",
      attempts: 1,
      expire_at: null,
    });
  });
});
