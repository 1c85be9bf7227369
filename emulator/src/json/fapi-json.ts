import type { Core } from "../core";
import { describeAddress } from "../domain/client-location";
import { activeSessionsOf } from "../domain/dev-browsers";
import { offeredSettings } from "../domain/instance-settings";
import { invitationStatus, pendingInvitationsCount } from "../domain/invitations";
import { membershipRole, membershipsOfUser } from "../domain/memberships";
import { membersCount } from "../domain/organizations";
import { roleRecordJSON } from "../domain/roles";
import { sessionStatus, sessionTasks } from "../domain/session-tasks";
import { firstFactorsOf } from "../domain/sign-ins";
import { missingFields, signUpFields } from "../domain/sign-ups";
import { describeUserAgent } from "../domain/user-agent";
import type {
  ClientRecord,
  MembershipRecord,
  MembershipRequestRecord,
  OrganizationInvitationRecord,
  OrganizationRecord,
  OrganizationSuggestionRecord,
  ProfileImageRecord,
  RoleRecord,
  SessionRecord,
  SignInRecord,
  SignUpRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import {
  addressVerificationJSON,
  externalAccountJSON,
  oauthVerificationJSON,
  publicOrganizationDataJSON,
  publicUserDataJSON,
  userEmailAddressesJSON,
} from "./bapi-json";

// The picture of a user without one, as Clerk generates one (`has_image` stays false): their
// initials on a colour of their own. A data: URL, so the browser fetches nothing from outside;
// `avatar_placeholder` in it is how @clerk/ui tells a generated picture from an upload, so it
// offers no "Remove" for it.
function avatarFor(user: UserRecord): string {
  const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId)?.emailAddress;
  const initials =
    [user.firstName, user.lastName]
      .map((n) => n?.trim()[0] ?? "")
      .join("")
      .toUpperCase() || (email?.[0] ?? "?").toUpperCase();
  let hue = 0;
  for (const ch of user.id) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="hsl(${hue} 45% 45%)"/>` +
    `<text x="32" y="41" font-family="sans-serif" font-size="26" font-weight="600" fill="#fff" text-anchor="middle">${initials.replace(/[<>&"]/g, "")}</text></svg>`;
  return `data:image/svg+xml;name=avatar_placeholder;base64,${Buffer.from(svg).toString("base64")}`;
}

// What the UI shows for a user: their upload, else the generated avatar.
const imageUrlOf = (user: UserRecord) => user.image?.url ?? avatarFor(user);

import { USER_ACTIONS } from "./environment";

// Wire shapes of the Frontend API, the one clerk-js and @clerk/ui read, checked against
// fapi-2026-05-12.yml by tests/unit/emulator/fapi-json.test.ts. They differ from the Backend API's
// (bapi-json.ts): no private metadata, and a user carries its organization memberships, from
// which clerk-js resolves the active organization and its permissions. Email addresses and public
// user data have the same shape in both APIs and are shared. No image sends the browser to a
// host other than the app's: organizations have none, and a user's is their upload (served by
// the emulator, through the app's proxy) or a generated avatar.

const publicUserData = (user: UserRecord) => ({
  ...publicUserDataJSON(user),
  image_url: imageUrlOf(user),
});

function userOf(core: Core, id: string): UserRecord {
  const user = core.store.state.users[id];
  if (!user) throw new Error(`emulator state: no user ${id}`);
  return user;
}

export function fapiOrganizationJSON(core: Core, org: OrganizationRecord) {
  return {
    object: "organization",
    id: org.id,
    name: org.name,
    slug: org.slug,
    image_url: "",
    has_image: false,
    members_count: membersCount(core, org.id),
    pending_invitations_count: pendingInvitationsCount(core, org.id),
    max_allowed_memberships: org.maxAllowedMemberships,
    admin_delete_enabled: org.adminDeleteEnabled,
    public_metadata: org.publicMetadata,
    created_at: org.createdAt,
    updated_at: org.updatedAt,
  };
}

// `permissions` lists every permission of the role, Clerk's system ones (`org:sys_*`) included:
// they are not in session tokens, and the UI checks them here (<APIKeys/> needs
// `org:sys_api_keys:read`/`manage`, <OrganizationProfile/> `org:sys_memberships:*`).
export function fapiMembershipJSON(core: Core, m: MembershipRecord) {
  const org = core.store.state.organizations[m.organizationId];
  if (!org) throw new Error(`emulator state: no organization ${m.organizationId}`);
  const role = membershipRole(core, m.role);
  return {
    object: "organization_membership",
    id: m.id,
    role: m.role,
    role_name: role.name,
    permissions: role.permissions,
    public_metadata: m.publicMetadata,
    organization: fapiOrganizationJSON(core, org),
    public_user_data: publicUserData(userOf(core, m.userId)),
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function fapiUserJSON(core: Core, user: UserRecord) {
  const memberships = membershipsOfUser(core, user.id).sort((a, b) => a.createdAt - b.createdAt);
  return {
    object: "user",
    id: user.id,
    external_id: user.externalId,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    image_url: imageUrlOf(user),
    has_image: user.image !== undefined,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    password_enabled: user.passwordHash !== null,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    email_addresses: userEmailAddressesJSON(user),
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    // clerk-js finds the active organization (and its permissions) in this list, by the
    // session's `last_active_organization_id`.
    organization_memberships: memberships.map((m) => fapiMembershipJSON(core, m)),
    external_accounts: (user.externalAccounts ?? []).map(externalAccountJSON),
    saml_accounts: [],
    enterprise_accounts: [],
    password_last_updated_at: null,
    public_metadata: user.publicMetadata,
    unsafe_metadata: user.unsafeMetadata,
    last_sign_in_at: user.lastSignInAt,
    banned: user.banned,
    locked: user.locked,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: null,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    delete_self_enabled: USER_ACTIONS.deleteSelf,
    create_organization_enabled: USER_ACTIONS.createOrganization,
    // The spec's "0 means unlimited" (clerk-js reads 0 as null: no limit).
    create_organizations_limit: 0,
    last_active_at: user.lastActiveAt,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    legal_accepted_at: null,
  };
}

export function fapiSessionJSON(
  core: Core,
  session: SessionRecord,
  lastActiveToken: string | null,
) {
  const user = userOf(core, session.userId);
  const tasks = sessionTasks(core, session);
  return {
    object: "session",
    id: session.id,
    // `pending` while it has a task (domain/session-tasks.ts).
    status: sessionStatus(core, session),
    expire_at: session.expireAt,
    abandon_at: session.abandonAt,
    last_active_at: session.lastActiveAt,
    last_active_token: lastActiveToken === null ? null : { object: "token", jwt: lastActiveToken },
    last_active_organization_id: session.lastActiveOrganizationId,
    actor: null,
    // Only choosing an organization (`choose-organization`) is emulated; clerk-js reads none as
    // null.
    tasks: tasks.length > 0 ? tasks : null,
    user: fapiUserJSON(core, user),
    public_user_data: publicUserData(user),
    // Minutes since the first and second factor were verified (-1: never). The emulator keeps
    // no verification times and never asks for reverification; its session tokens carry the
    // same `fva`.
    factor_verification_age: [0, -1],
    created_at: session.createdAt,
    updated_at: session.updatedAt,
  };
}

// `Client.SessionActivity`: the browser, device and address the session signed in from.
export function sessionActivityJSON(session: SessionRecord) {
  const from = session.signedInFrom;
  const device = describeUserAgent(from?.userAgent ?? "");
  return {
    object: "session_activity",
    id: `sess_activity_${session.id}`,
    device_type: device.deviceType,
    is_mobile: device.isMobile,
    browser_name: device.browserName,
    browser_version: device.browserVersion,
    ip_address: from?.clientIp,
    ...(from ? describeAddress(from.clientIp) : {}),
  };
}

// `Stubs.Verification.Password`, which has no failed or expired state: a wrong password is an
// error response, and the verification stays unverified.
function passwordVerificationJSON(v: VerificationRecord) {
  return {
    object: "verification_password",
    status: v.status === "verified" ? "verified" : "unverified",
    strategy: "password",
    attempts: v.attempts,
    expire_at: v.expireAt,
  };
}

// `Stubs.Verification.Ticket`: an invitation's ticket, verified when it was presented.
function ticketVerificationJSON(v: VerificationRecord) {
  return {
    object: "verification_ticket",
    status: v.status === "verified" ? "verified" : "unverified",
    strategy: "ticket",
    attempts: v.attempts,
    expire_at: v.expireAt,
  };
}

// `Stubs.Verification.OTP` for the code factors, `Stubs.Verification.Oauth` for a social
// provider's flow (bapi-json.ts: the same in both APIs).
function verificationJSON(v: VerificationRecord) {
  if (v.strategy === "password") return passwordVerificationJSON(v);
  if (v.strategy === "ticket") return ticketVerificationJSON(v);
  if (v.strategy.startsWith("oauth_")) return oauthVerificationJSON(v);
  return addressVerificationJSON(v);
}

// `safe_identifier` is the address itself, as @clerk/ui matches it against the identifier typed to
// pick the factor to show.
function supportedFirstFactors(core: Core, user: UserRecord | undefined, signIn: SignInRecord) {
  if (!user) return [];
  return firstFactorsOf(core, user, signIn).map((factor) =>
    factor.strategy === "password"
      ? { strategy: "password" }
      : {
          strategy: factor.strategy,
          email_address_id: factor.emailAddress.id,
          safe_identifier: factor.emailAddress.emailAddress,
          primary: true,
        },
  );
}

// The identifiers this instance signs people in with.
function signInIdentifiers(core: Core) {
  const ids = offeredSettings(core).identifiers;
  return [
    ...(ids.email_address.sign_in ? ["email_address"] : []),
    ...(ids.username.sign_in ? ["username"] : []),
  ];
}

export function fapiSignInJSON(core: Core, signIn: SignInRecord) {
  const user = signIn.userId === null ? undefined : core.store.state.users[signIn.userId];
  return {
    object: "sign_in_attempt",
    id: signIn.id,
    status: signIn.status,
    supported_identifiers: signInIdentifiers(core),
    identifier: signIn.identifier,
    supported_first_factors: supportedFirstFactors(core, user, signIn),
    supported_second_factors: null,
    first_factor_verification: signIn.firstFactorVerification
      ? verificationJSON(signIn.firstFactorVerification)
      : null,
    second_factor_verification: null,
    user_data: user
      ? {
          first_name: user.firstName,
          last_name: user.lastName,
          image_url: imageUrlOf(user),
          has_image: user.image !== undefined,
        }
      : null,
    created_session_id: signIn.createdSessionId,
    abandon_at: signIn.abandonAt,
  };
}

const SIGN_UP_NEXT_ACTION = {
  unverified: "needs_attempt",
  verified: "",
  failed: "needs_prepare",
  expired: "needs_prepare",
  transferable: "",
} as const;

// Null until a code has been sent. Clerk describes an unprepared address as an unverified
// verification with `next_action: "needs_prepare"`, but the spec's OTP verification must then
// name a strategy and an integer expiry, and @clerk/ui's email-code step does not send the first
// code when it sees an unverified `email_code` verification: null is what makes it send one.
function signUpEmailVerificationJSON(v: VerificationRecord | null) {
  if (!v) return null;
  return {
    ...verificationJSON(v),
    next_action: SIGN_UP_NEXT_ACTION[v.status],
    supported_strategies: [v.strategy],
  };
}

export function fapiSignUpJSON(core: Core, signUp: SignUpRecord) {
  const emailVerified = signUp.emailVerification?.status === "verified";
  const fields = signUpFields(core);
  return {
    object: "sign_up_attempt",
    id: signUp.id,
    status: signUp.status,
    required_fields: fields.required,
    optional_fields: fields.optional,
    missing_fields: missingFields(core, signUp),
    unverified_fields: signUp.emailAddress !== null && !emailVerified ? ["email_address"] : [],
    verifications: {
      email_address: signUpEmailVerificationJSON(signUp.emailVerification),
      phone_number: null,
      web3_wallet: null,
      external_account: signUp.externalAccountVerification
        ? oauthVerificationJSON(signUp.externalAccountVerification)
        : null,
    },
    username: signUp.username ?? null,
    email_address: signUp.emailAddress,
    phone_number: null,
    web3_wallet: null,
    first_name: signUp.firstName,
    last_name: signUp.lastName,
    password_enabled: signUp.passwordHash !== null,
    // What clerk-js reads (SignUpJSON.has_password); the spec names it `password_enabled`.
    has_password: signUp.passwordHash !== null,
    unsafe_metadata: {},
    public_metadata: {},
    custom_action: false,
    external_id: null,
    created_session_id: signUp.createdSessionId,
    created_user_id: signUp.createdUserId,
    abandon_at: signUp.abandonAt,
    legal_accepted_at: null,
  };
}

// `tokens` holds a fresh session token per active session id; a session without one is sent
// with `last_active_token: null` and clerk-js fetches a token itself.
export function fapiClientJSON(
  core: Core,
  client: ClientRecord,
  tokens: ReadonlyMap<string, string>,
) {
  const now = core.now();
  const sessions = activeSessionsOf(core, client);
  const signIn = client.signInId === null ? undefined : core.store.state.signIns[client.signInId];
  const signUp = client.signUpId === null ? undefined : core.store.state.signUps[client.signUpId];
  // Attempts still in progress, and one an OAuth callback finished (no answer reported it: the
  // page the browser lands on reads it here) while its session lasts; an attempt finished by an
  // answer was reported by it, and an abandoned one is gone.
  const live = (a: { status: string; abandonAt: number; createdSessionId: string | null }) =>
    a.abandonAt > now &&
    (a.status !== "complete" || sessions.some((s) => s.id === a.createdSessionId));
  const currentSignIn = signIn && live(signIn) ? signIn : null;
  const currentSignUp = signUp && signUp.status !== "abandoned" && live(signUp) ? signUp : null;
  const lastActive = sessions.some((s) => s.id === client.lastActiveSessionId)
    ? client.lastActiveSessionId
    : null;
  return {
    object: "client",
    id: client.id,
    sessions: sessions.map((s) => fapiSessionJSON(core, s, tokens.get(s.id) ?? null)),
    sign_in: currentSignIn ? fapiSignInJSON(core, currentSignIn) : null,
    sign_up: currentSignUp ? fapiSignUpJSON(core, currentSignUp) : null,
    // clerk-js is signed in only if this names one of `sessions`.
    last_active_session_id: lastActive,
    last_authentication_strategy: null,
    // Null: a near expiry makes clerk-js navigate through /v1/client/touch.
    cookie_expires_at: null,
    captcha_bypass: false,
    created_at: client.createdAt,
    updated_at: client.updatedAt,
  };
}

// `Client.Role`: the Backend API's role, whose description the Frontend API never sends as null.
export function fapiRoleJSON(core: Core, role: RoleRecord) {
  const json = roleRecordJSON(core, role);
  return { ...json, description: json.description ?? "" };
}

// Every role of the instance, for GET /v1/organizations/:id/roles.
export function fapiRolesList(core: Core) {
  return Object.values(core.store.state.roles).map((role) => fapiRoleJSON(core, role));
}

// `Client.OrganizationInvitation` (and, with the organization's public data, the user-context one
// /v1/me lists). No accept link: it carries the invitee's ticket, which only the invitee and
// holders of the secret key may see.
export function fapiInvitationJSON(core: Core, inv: OrganizationInvitationRecord) {
  const org = core.store.state.organizations[inv.organizationId];
  if (!org) throw new Error(`emulator state: no organization ${inv.organizationId}`);
  return {
    object: "organization_invitation",
    id: inv.id,
    email_address: inv.emailAddress,
    role: inv.role,
    role_name: membershipRole(core, inv.role).name,
    organization_id: inv.organizationId,
    public_organization_data: publicOrganizationDataJSON(org),
    status: invitationStatus(inv, core.now()),
    public_metadata: inv.publicMetadata,
    url: null,
    expires_at: inv.expiresAt,
    created_at: inv.createdAt,
    updated_at: inv.updatedAt,
  };
}

// `Client.OrganizationSuggestion`: "accepted" once the user asked to join.
export function fapiSuggestionJSON(core: Core, s: OrganizationSuggestionRecord) {
  const org = core.store.state.organizations[s.organizationId];
  if (!org) throw new Error(`emulator state: no organization ${s.organizationId}`);
  return {
    object: "organization_suggestion",
    id: s.id,
    public_organization_data: publicOrganizationDataJSON(org),
    status: s.status,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

// `Client.OrganizationMembershipRequest`: who asked to join.
export function fapiMembershipRequestJSON(core: Core, r: MembershipRequestRecord) {
  const user = core.store.state.users[r.userId];
  return {
    object: "organization_membership_request",
    id: r.id,
    organization_id: r.organizationId,
    status: r.status,
    public_user_data: user ? publicUserData(user) : null,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function fapiDeletedObjectJSON(object: string, id: string) {
  return { object, id, deleted: true };
}

// An upload's answer (`Image`): where the picture now is.
export function fapiImageJSON(image: ProfileImageRecord) {
  return { object: "image", id: image.id, name: image.name, public_url: image.url };
}
