import type { Core } from "../core";
import { describeAddress } from "../domain/client-location";
import { activeSessionsOf } from "../domain/dev-browsers";
import { deviceTrustContact, isKnownDevice } from "../domain/device-trust";
import { offeredSettings } from "../domain/instance-settings";
import { invitationStatus, pendingInvitationsCount } from "../domain/invitations";
import { membershipRole, membershipsOfUser } from "../domain/memberships";
import {
  backupCodesEnabled,
  registeredPasskeys,
  secondFactorPhoneNumbers,
  totpEnabled,
  twoFactorEnabled,
} from "../domain/mfa-status";
import { membersCount } from "../domain/organizations";
import { factorVerificationAge } from "../domain/reverification";
import { roleRecordJSON } from "../domain/roles";
import { sessionStatus, sessionTasks } from "../domain/session-tasks";
import { firstFactorsOf } from "../domain/sign-ins";
import { missingFields, signUpFields, unverifiedFields } from "../domain/sign-ups";
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
  otpVerificationJSON,
  phoneNumberJSON,
  publicOrganizationDataJSON,
  publicUserDataJSON,
  userEmailAddressesJSON,
} from "./bapi-json";
import { defaultOrganizationLogo, defaultUserImage } from "./default-images";
import { fapiPasskeyJSON } from "./factors-json";

// What the UI shows for a user: their upload, else the generated avatar.
const imageUrlOf = (user: UserRecord) => user.image?.url ?? defaultUserImage(user);

// An organization's: the generated logo (the emulator keeps no uploaded ones).
const publicOrganizationData = (org: OrganizationRecord) => ({
  ...publicOrganizationDataJSON(org),
  image_url: defaultOrganizationLogo(org),
});

import { USER_ACTIONS } from "./environment";

// Wire shapes of the Frontend API, the one clerk-js and @clerk/ui read, checked against
// fapi-2026-05-12.yml by tests/unit/emulator/fapi-json.test.ts. They differ from the Backend API's
// (bapi-json.ts): no private metadata, and a user carries its organization memberships, from
// which clerk-js resolves the active organization and its permissions. Email addresses and public
// user data have the same shape in both APIs and are shared. No image sends the browser to a
// host other than the app's: a user's is their upload (served by the emulator, through the app's
// proxy) or a generated avatar, an organization's a generated logo (default-images.ts).

const publicUserData = (user: UserRecord) => ({
  ...publicUserDataJSON(user),
  image_url: imageUrlOf(user),
});

function userOf(core: Core, id: string): UserRecord {
  const user = core.store.state.users[id];
  if (!user) throw new Error(`emulator state: no user ${id}`);
  return user;
}

function primaryEmailOf(user: UserRecord) {
  return user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
}

export function fapiOrganizationJSON(core: Core, org: OrganizationRecord) {
  return {
    object: "organization",
    id: org.id,
    name: org.name,
    slug: org.slug,
    image_url: defaultOrganizationLogo(org),
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
    primary_phone_number_id: user.primaryPhoneNumberId,
    primary_web3_wallet_id: null,
    password_enabled: user.passwordHash !== null,
    two_factor_enabled: twoFactorEnabled(user),
    totp_enabled: totpEnabled(user),
    backup_code_enabled: backupCodesEnabled(user),
    email_addresses: userEmailAddressesJSON(user),
    phone_numbers: user.phoneNumbers.map((p) => phoneNumberJSON(p)),
    web3_wallets: [],
    passkeys: registeredPasskeys(user).map(fapiPasskeyJSON),
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
    mfa_enabled_at: user.mfaEnabledAt,
    mfa_disabled_at: user.mfaDisabledAt,
    legal_accepted_at: user.legalAcceptedAt ?? null,
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
    actor: session.actor ?? null,
    // Only MFA setup (`setup-mfa`) and choosing an organization (`choose-organization`) are
    // emulated; clerk-js reads none as null.
    tasks: tasks.length > 0 ? tasks : null,
    user: fapiUserJSON(core, user),
    public_user_data: publicUserData(user),
    // Minutes since the first and second factor were verified (-1: never), as the session
    // tokens' `fva` (domain/reverification.ts).
    factor_verification_age: factorVerificationAge(core, session),
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

// The second step's verifications that are no code sent anywhere: `Stubs.Verification.TOTP` and
// `.BackupCode`, verified when the code was accepted.
function secondFactorCodeJSON(v: VerificationRecord, object: string) {
  return {
    object,
    status: v.status === "verified" ? "verified" : "unverified",
    strategy: v.strategy,
    attempts: v.attempts,
    expire_at: v.expireAt,
  };
}

// `Stubs.Verification.Passkey`: `nonce` holds the options for navigator.credentials.get().
function passkeyVerificationJSON(v: VerificationRecord) {
  return {
    object: "verification_passkey",
    status: v.status,
    strategy: "passkey",
    attempts: v.attempts,
    expire_at: v.expireAt ?? 0,
    ...(v.status === "unverified" && v.nonce ? { nonce: v.nonce } : {}),
  };
}

// `Stubs.Verification.OTP` for the code factors, `Stubs.Verification.Oauth` for a social
// provider's flow (bapi-json.ts: the same in both APIs).
function verificationJSON(v: VerificationRecord) {
  if (v.strategy === "password") return passwordVerificationJSON(v);
  if (v.strategy === "ticket") return ticketVerificationJSON(v);
  if (v.strategy === "totp") return secondFactorCodeJSON(v, "verification_totp");
  if (v.strategy === "backup_code") return secondFactorCodeJSON(v, "verification_backup_code");
  if (v.strategy === "passkey") return passkeyVerificationJSON(v);
  if (v.strategy === "phone_code") return otpVerificationJSON(v);
  if (v.strategy.startsWith("oauth_")) return oauthVerificationJSON(v);
  return addressVerificationJSON(v);
}

// What the identified user can sign in with (domain/sign-ins.ts). `safe_identifier` is the address
// or number itself, as @clerk/ui matches it against the identifier typed to pick the factor to
// show.
function supportedFirstFactors(core: Core, user: UserRecord | undefined, signIn: SignInRecord) {
  if (!user) return [];
  return firstFactorsOf(core, user, signIn).map((factor) => {
    if ("phoneNumber" in factor) {
      return {
        strategy: factor.strategy,
        phone_number_id: factor.phoneNumber.id,
        safe_identifier: factor.phoneNumber.phoneNumber,
        primary: factor.phoneNumber.id === user.primaryPhoneNumberId,
      };
    }
    if (!("emailAddress" in factor)) return { strategy: factor.strategy };
    return {
      strategy: factor.strategy,
      email_address_id: factor.emailAddress.id,
      safe_identifier: factor.emailAddress.emailAddress,
      primary: true,
    };
  });
}

// The second step's choices: for two-step verification, the user's authenticator app, each of
// their SMS numbers (the default one marked) and their backup codes; for Device Trust, a code to
// their primary address (else their primary number).
function supportedSecondFactors(signIn: SignInRecord, user: UserRecord | undefined) {
  if (!user) return null;
  if (signIn.status === "needs_second_factor") {
    return [
      ...(totpEnabled(user) ? [{ strategy: "totp" }] : []),
      ...secondFactorPhoneNumbers(user).map((p) => ({
        strategy: "phone_code",
        phone_number_id: p.id,
        safe_identifier: p.phoneNumber,
        default: p.defaultSecondFactor,
      })),
      ...(backupCodesEnabled(user) ? [{ strategy: "backup_code" }] : []),
    ];
  }
  if (signIn.status === "needs_client_trust") {
    const contact = deviceTrustContact(user);
    if (contact && "email" in contact) {
      return [
        {
          strategy: "email_code",
          email_address_id: contact.email.id,
          safe_identifier: contact.email.emailAddress,
          primary: true,
        },
      ];
    }
    return contact
      ? [
          {
            strategy: "phone_code",
            phone_number_id: contact.phone.id,
            safe_identifier: contact.phone.phoneNumber,
          },
        ]
      : [];
  }
  return null;
}

// `client_trust_state`: whether the identified user has had a session on this browser before.
function clientTrustState(core: Core, signIn: SignInRecord) {
  const client = core.store.state.clients[signIn.clientId];
  if (!signIn.userId || !client) return "pending";
  return isKnownDevice(core, client, signIn.userId) ? "known" : "new";
}

// The identifiers the instance signs people in with.
function supportedIdentifiers(core: Core) {
  const { identifiers } = offeredSettings(core);
  return (["email_address", "phone_number", "username"] as const).filter(
    (name) => identifiers[name].sign_in,
  );
}

export function fapiSignInJSON(core: Core, signIn: SignInRecord) {
  const user = signIn.userId === null ? undefined : core.store.state.users[signIn.userId];
  return {
    object: "sign_in_attempt",
    id: signIn.id,
    status: signIn.status,
    supported_identifiers: supportedIdentifiers(core),
    identifier: signIn.identifier,
    supported_first_factors: supportedFirstFactors(core, user, signIn),
    supported_second_factors: supportedSecondFactors(signIn, user),
    first_factor_verification: signIn.firstFactorVerification
      ? verificationJSON(signIn.firstFactorVerification)
      : null,
    second_factor_verification: signIn.secondFactorVerification
      ? verificationJSON(signIn.secondFactorVerification)
      : null,
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
    client_trust_state: clientTrustState(core, signIn),
  };
}

const SIGN_UP_NEXT_ACTION = {
  unverified: "needs_attempt",
  verified: "",
  failed: "needs_prepare",
  expired: "needs_prepare",
  transferable: "",
} as const;

// Null until a code has been sent. Clerk describes an unprepared address (or number) as an
// unverified verification with `next_action: "needs_prepare"`, but the spec's OTP verification must
// then name a strategy and an integer expiry, and @clerk/ui's code step does not send the first
// code when it sees an unverified one: null is what makes it send one.
function signUpVerificationJSON(v: VerificationRecord | null) {
  if (!v) return null;
  return {
    ...verificationJSON(v),
    next_action: SIGN_UP_NEXT_ACTION[v.status],
    supported_strategies: [v.strategy],
  };
}

export function fapiSignUpJSON(core: Core, signUp: SignUpRecord) {
  const fields = signUpFields(core);
  return {
    object: "sign_up_attempt",
    id: signUp.id,
    status: signUp.status,
    required_fields: fields.required,
    optional_fields: fields.optional,
    missing_fields: missingFields(core, signUp),
    unverified_fields: unverifiedFields(signUp),
    verifications: {
      email_address: signUpVerificationJSON(signUp.emailVerification),
      phone_number: signUpVerificationJSON(signUp.phoneVerification),
      web3_wallet: null,
      external_account: signUp.externalAccountVerification
        ? oauthVerificationJSON(signUp.externalAccountVerification)
        : null,
    },
    username: signUp.username,
    email_address: signUp.emailAddress,
    phone_number: signUp.phoneNumber,
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
    legal_accepted_at: signUp.legalAcceptedAt ?? null,
  };
}

// `Client.SessionReverification`: where the session's reverification stands, with the factors the
// user can use for each step (password, an emailed or texted code; then their authenticator app,
// SMS numbers and backup codes); a passkey, if they have one.
export function fapiReverificationJSON(core: Core, session: SessionRecord, token: string | null) {
  const rv = session.reverification;
  if (!rv) throw new Error(`emulator state: session ${session.id} has no reverification`);
  const user = userOf(core, session.userId);
  const email = primaryEmailOf(user);
  const firstFactors = [
    ...(registeredPasskeys(user).length > 0 ? [{ strategy: "passkey" }] : []),
    ...(user.passwordHash !== null ? [{ strategy: "password" }] : []),
    ...(email
      ? [
          {
            strategy: "email_code",
            email_address_id: email.id,
            safe_identifier: email.emailAddress,
            primary: true,
          },
        ]
      : []),
    ...user.phoneNumbers
      .filter((p) => p.verified)
      .map((p) => ({
        strategy: "phone_code",
        phone_number_id: p.id,
        safe_identifier: p.phoneNumber,
        primary: p.id === user.primaryPhoneNumberId,
      })),
  ];
  const secondFactors = [
    ...(totpEnabled(user) ? [{ strategy: "totp" }] : []),
    ...secondFactorPhoneNumbers(user).map((p) => ({
      strategy: "phone_code",
      phone_number_id: p.id,
      safe_identifier: p.phoneNumber,
      default: p.defaultSecondFactor,
    })),
    ...(backupCodesEnabled(user) ? [{ strategy: "backup_code" }] : []),
  ];
  return {
    object: "session_reverification",
    level: rv.level,
    status: rv.status,
    supported_first_factors: firstFactors,
    supported_second_factors: secondFactors,
    first_factor_verification: rv.firstFactorVerification
      ? verificationJSON(rv.firstFactorVerification)
      : null,
    second_factor_verification: rv.secondFactorVerification
      ? verificationJSON(rv.secondFactorVerification)
      : null,
    session: fapiSessionJSON(core, session, token),
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
    last_authentication_strategy: client.lastAuthenticationStrategy ?? null,
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
    public_organization_data: publicOrganizationData(org),
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
    public_organization_data: publicOrganizationData(org),
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
