import { CREATOR_PERMISSIONS } from "../../../clerk/organization-roles";
import {
  backupCodesEnabled,
  registeredPasskeys,
  totpEnabled,
  twoFactorEnabled,
} from "../domain/mfa-status";
import type {
  ActorTokenRecord,
  ApiKeyRecord,
  DomainVerificationRecord,
  EmailAddressRecord,
  ExternalAccountRecord,
  MembershipRecord,
  OrganizationDomainRecord,
  OrganizationInvitationRecord,
  OrganizationRecord,
  PermissionRecord,
  PhoneNumberRecord,
  RoleRecord,
  SessionRecord,
  SignInTokenRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { passkeyJSON } from "./factors-json";

// Wire shapes of the Backend API (and of webhook `data`, which Clerk builds from the same
// objects), checked against bapi-2026-05-12.yml by the integration tests.

// `verification_otp`, the same in both APIs. Codes are always sent with an expiry
// (domain/email-codes.ts); the 0 fallback only satisfies the Frontend API spec's non-null integer
// and reads as "no expiry" to clerk-js.
export function otpVerificationJSON(v: VerificationRecord) {
  return {
    object: "verification_otp",
    status: v.status,
    strategy: v.strategy,
    attempts: v.attempts,
    expire_at: v.expireAt ?? 0,
  };
}

const ADMIN_VERIFIED = {
  object: "verification_admin",
  status: "verified",
  strategy: "admin",
  attempts: null,
  expire_at: null,
};

// `verification_oauth`, the same in both APIs: a social provider's OAuth flow, with where the
// browser authorizes while it waits and Clerk's error when it failed or must be transferred.
export function oauthVerificationJSON(v: VerificationRecord) {
  return {
    object: "verification_oauth",
    status: v.status,
    strategy: v.strategy,
    ...(v.externalRedirectUrl ? { external_verification_redirect_url: v.externalRedirectUrl } : {}),
    error: v.error
      ? { code: v.error.code, message: v.error.message, long_message: v.error.longMessage }
      : null,
    attempts: v.attempts,
    expire_at: v.expireAt ?? 0,
  };
}

// How an address is, or was, proved: a provider vouched for it (`from_oauth_<provider>`), an
// emailed link, or a code.
export function addressVerificationJSON(v: VerificationRecord) {
  if (v.strategy === "email_link") {
    return {
      object: "verification_email_link",
      status: v.status,
      strategy: "email_link",
      attempts: v.attempts,
      expire_at: v.expireAt ?? 0,
    };
  }
  if (v.strategy.startsWith("from_oauth_")) {
    return {
      object: "verification_from_oauth",
      status: v.status === "verified" ? "verified" : "unverified",
      strategy: v.strategy,
      attempts: null,
      expire_at: null,
    };
  }
  return otpVerificationJSON(v);
}

// An address verified by its owner (with a code or link, at sign-up or in <UserProfile/>) shows
// that verification, one a social provider vouched for that provider's; one that arrived verified
// otherwise (Backend API, an invitation's ticket, seed) Clerk's admin verification; one never sent
// a code, none. `linkedTo` names the
// user's social accounts that carry the address.
export function emailAddressJSON(
  e: EmailAddressRecord,
  linkedTo: { type: string; id: string }[] = [],
) {
  return {
    id: e.id,
    object: "email_address",
    email_address: e.emailAddress,
    reserved: false,
    verification: e.verification
      ? addressVerificationJSON(e.verification)
      : e.verified
        ? ADMIN_VERIFIED
        : null,
    linked_to: linkedTo,
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

// The same in both APIs. `backupCodes`: the codes made when reserving this number made it the
// user's first second factor (they are shown once, in that answer).
export function phoneNumberJSON(p: PhoneNumberRecord, backupCodes: string[] | null = null) {
  return {
    id: p.id,
    object: "phone_number",
    phone_number: p.phoneNumber,
    reserved_for_second_factor: p.reservedForSecondFactor,
    default_second_factor: p.defaultSecondFactor,
    reserved: false,
    verification: p.verification
      ? otpVerificationJSON(p.verification)
      : p.verified
        ? ADMIN_VERIFIED
        : null,
    linked_to: [],
    backup_codes: backupCodes,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

// The user's social accounts that carry each address (`linked_to`).
function linksOf(u: UserRecord, e: EmailAddressRecord) {
  return (u.externalAccounts ?? [])
    .filter((a) => a.identity?.emailAddress === e.emailAddress)
    .map((a) => ({ type: `oauth_${a.provider}`, id: a.identificationId }));
}

export const userEmailAddressesJSON = (u: UserRecord) =>
  u.emailAddresses.map((e) => emailAddressJSON(e, linksOf(u, e)));

// `ExternalAccountWithVerification`, the same in both APIs (and webhooks).
export function externalAccountJSON(a: ExternalAccountRecord) {
  const id = a.identity;
  return {
    object: "external_account",
    id: a.id,
    provider: `oauth_${a.provider}`,
    identification_id: a.identificationId,
    provider_user_id: id?.providerUserId ?? "",
    approved_scopes: id?.approvedScopes ?? "",
    email_address: id?.emailAddress ?? "",
    email_address_verified: id ? id.emailVerified : null,
    first_name: id?.firstName ?? "",
    last_name: id?.lastName ?? "",
    image_url: id?.imageUrl ?? "",
    username: id?.username ?? null,
    phone_number: null,
    public_metadata: {},
    label: null,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    verification: oauthVerificationJSON(a.verification),
  };
}

export function userJSON(u: UserRecord) {
  return {
    id: u.id,
    object: "user",
    external_id: u.externalId,
    primary_email_address_id: u.primaryEmailAddressId,
    primary_phone_number_id: u.primaryPhoneNumberId,
    primary_web3_wallet_id: null,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    locale: null,
    profile_image_url: u.image?.url ?? "",
    image_url: u.image?.url ?? "",
    has_image: u.image !== undefined,
    public_metadata: u.publicMetadata,
    private_metadata: u.privateMetadata,
    unsafe_metadata: u.unsafeMetadata,
    email_addresses: userEmailAddressesJSON(u),
    phone_numbers: u.phoneNumbers.map((p) => phoneNumberJSON(p)),
    web3_wallets: [],
    passkeys: registeredPasskeys(u).map(passkeyJSON),
    password_enabled: u.passwordHash !== null,
    two_factor_enabled: twoFactorEnabled(u),
    totp_enabled: totpEnabled(u),
    backup_code_enabled: backupCodesEnabled(u),
    mfa_enabled_at: u.mfaEnabledAt,
    mfa_disabled_at: u.mfaDisabledAt,
    password_last_updated_at: null,
    external_accounts: (u.externalAccounts ?? []).map(externalAccountJSON),
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: u.lastSignInAt,
    banned: u.banned,
    locked: u.locked,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: null,
    updated_at: u.updatedAt,
    created_at: u.createdAt,
    delete_self_enabled: true,
    create_organization_enabled: true,
    create_organizations_limit: null,
    last_active_at: u.lastActiveAt,
    legal_accepted_at: u.legalAcceptedAt ?? null,
  };
}

export function organizationJSON(
  o: OrganizationRecord,
  counts: { pendingInvitations: number; members?: number | undefined },
) {
  return {
    object: "organization",
    id: o.id,
    name: o.name,
    slug: o.slug,
    image_url: "",
    has_image: false,
    ...(counts.members === undefined ? {} : { members_count: counts.members }),
    pending_invitations_count: counts.pendingInvitations,
    max_allowed_memberships: o.maxAllowedMemberships,
    admin_delete_enabled: o.adminDeleteEnabled,
    public_metadata: o.publicMetadata,
    private_metadata: o.privateMetadata,
    ...(o.createdBy ? { created_by: o.createdBy } : {}),
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

export function publicUserDataJSON(u: UserRecord) {
  const primary = u.emailAddresses.find((e) => e.id === u.primaryEmailAddressId);
  return {
    user_id: u.id,
    first_name: u.firstName,
    last_name: u.lastName,
    profile_image_url: u.image?.url ?? "",
    image_url: u.image?.url ?? "",
    has_image: u.image !== undefined,
    identifier:
      primary?.emailAddress ??
      u.phoneNumbers.find((p) => p.id === u.primaryPhoneNumberId)?.phoneNumber ??
      u.username ??
      "",
    username: u.username,
  };
}

// The membership's role as it is now; a role deleted since is shown by its key, with no permissions.
export type MembershipRole = { name: string; permissions: string[] };

export function membershipJSON(
  m: MembershipRecord,
  org: OrganizationRecord,
  pendingInvitations: number,
  user: UserRecord,
  role: MembershipRole,
) {
  return {
    id: m.id,
    object: "organization_membership",
    role: m.role,
    role_name: role.name,
    permissions: role.permissions,
    public_metadata: m.publicMetadata,
    private_metadata: m.privateMetadata,
    organization: organizationJSON(org, { pendingInvitations }),
    public_user_data: publicUserDataJSON(user),
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function publicOrganizationDataJSON(o: OrganizationRecord) {
  return { id: o.id, name: o.name, slug: o.slug, image_url: "", has_image: false };
}

export function signInTokenJSON(t: SignInTokenRecord) {
  return {
    object: "sign_in_token",
    id: t.id,
    status: t.status,
    user_id: t.userId,
    token: t.token,
    url: t.url,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export function actorTokenJSON(t: ActorTokenRecord) {
  return {
    object: "actor_token",
    id: t.id,
    status: t.status,
    user_id: t.userId,
    actor: t.actor,
    token: t.token,
    url: t.url,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

// `status` is the invitation's status now (a pending one past its expiry is "expired"); `url` is
// its accept link, which only holders of the secret key see.
export function organizationInvitationJSON(
  inv: OrganizationInvitationRecord,
  status: string,
  roleName: string,
  inviter: UserRecord | undefined,
) {
  return {
    object: "organization_invitation",
    id: inv.id,
    email_address: inv.emailAddress,
    role: inv.role,
    role_name: roleName,
    organization_id: inv.organizationId,
    inviter_id: inv.inviterUserId,
    public_inviter_data: inviter
      ? {
          user_id: inviter.id,
          first_name: inviter.firstName,
          last_name: inviter.lastName,
          image_url: "",
          has_image: false,
          identifier: publicUserDataJSON(inviter).identifier,
        }
      : null,
    status,
    public_metadata: inv.publicMetadata,
    private_metadata: inv.privateMetadata,
    url: inv.acceptLink,
    expires_at: inv.expiresAt,
    created_at: inv.createdAt,
    updated_at: inv.updatedAt,
  };
}

// An affiliation verification: `email_code` (a code sent to `affiliation_email_address`) or
// `admin` (the Backend API verified it). `verified_at` is only ever set for ownership (DNS) proofs.
function domainVerificationJSON(v: DomainVerificationRecord) {
  return v.strategy === "admin"
    ? { status: v.status, strategy: "admin", attempts: null, expire_at: null, verified_at: null }
    : {
        status: v.status,
        strategy: v.strategy,
        attempts: v.attempts,
        expire_at: v.expireAt,
        verified_at: null,
      };
}

// The same shape in both APIs and in organizationDomain.* webhooks. `verification` is the
// deprecated name of `affiliation_verification`, still what @clerk/ui reads. No ownership (DNS
// TXT) verification: that belongs to enterprise SSO, which the emulator does not offer.
export function organizationDomainJSON(
  d: OrganizationDomainRecord,
  org: OrganizationRecord,
  counts: { pendingInvitations: number; pendingSuggestions: number },
) {
  const verification = d.verification ? domainVerificationJSON(d.verification) : null;
  return {
    object: "organization_domain",
    id: d.id,
    organization_id: d.organizationId,
    name: d.name,
    enrollment_mode: d.enrollmentMode,
    affiliation_email_address: d.affiliationEmailAddress,
    affiliation_verification: verification,
    ownership_verification: null,
    verification,
    total_pending_invitations: counts.pendingInvitations,
    total_pending_suggestions: counts.pendingSuggestions,
    public_organization_data: publicOrganizationDataJSON(org),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

// The same shapes in both APIs and in role.*/permission.* webhooks.
export function permissionJSON(p: PermissionRecord) {
  return {
    object: "permission",
    id: p.id,
    name: p.name,
    key: p.key,
    description: p.description,
    type: p.type,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function roleJSON(role: RoleRecord, permissions: PermissionRecord[]) {
  const keys = new Set(permissions.map((p) => p.key));
  return {
    object: "role",
    id: role.id,
    name: role.name,
    key: role.key,
    description: role.description,
    // Clerk lets a role be the creator role only if it can run the organization.
    is_creator_eligible: CREATOR_PERMISSIONS.every((key) => keys.has(key)),
    permissions: permissions.map(permissionJSON),
    created_at: role.createdAt,
    updated_at: role.updatedAt,
  };
}

export function apiKeyJSON(k: ApiKeyRecord, now: number) {
  return {
    object: "api_key",
    id: k.id,
    type: "api_key",
    subject: k.subject,
    name: k.name,
    description: k.description,
    claims: k.claims,
    scopes: k.scopes,
    revoked: k.revoked,
    revocation_reason: k.revocationReason,
    expired: k.expiration !== null && k.expiration <= now,
    expiration: k.expiration,
    created_by: k.createdBy,
    last_used_at: k.lastUsedAt,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  };
}

export function sessionJSON(s: SessionRecord) {
  return {
    object: "session",
    id: s.id,
    user_id: s.userId,
    client_id: s.clientId,
    actor: s.actor ?? null,
    status: s.status,
    last_active_organization_id: s.lastActiveOrganizationId,
    last_active_at: s.lastActiveAt,
    expire_at: s.expireAt,
    abandon_at: s.abandonAt,
    updated_at: s.updatedAt,
    created_at: s.createdAt,
  };
}

export function deletedJSON(object: string, id: string, extra: Record<string, unknown> = {}) {
  return { object, id, deleted: true, ...extra };
}
