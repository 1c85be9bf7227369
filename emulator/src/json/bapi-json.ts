import { CREATOR_PERMISSIONS } from "../../../clerk/organization-roles";
import type {
  ApiKeyRecord,
  DomainVerificationRecord,
  EmailAddressRecord,
  MembershipRecord,
  OrganizationDomainRecord,
  OrganizationInvitationRecord,
  OrganizationRecord,
  PermissionRecord,
  RoleRecord,
  SessionRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";

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

// An address the user added and verified with a code shows that code's verification; one that
// arrived verified (Backend API, sign-up, seed) Clerk's admin verification; one never sent a
// code, none.
export function emailAddressJSON(e: EmailAddressRecord) {
  return {
    id: e.id,
    object: "email_address",
    email_address: e.emailAddress,
    reserved: false,
    verification: e.verification
      ? otpVerificationJSON(e.verification)
      : e.verified
        ? ADMIN_VERIFIED
        : null,
    linked_to: [],
    matches_sso_connection: false,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function userJSON(u: UserRecord) {
  return {
    id: u.id,
    object: "user",
    external_id: u.externalId,
    primary_email_address_id: u.primaryEmailAddressId,
    primary_phone_number_id: null,
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
    email_addresses: u.emailAddresses.map(emailAddressJSON),
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: u.passwordHash !== null,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    password_last_updated_at: null,
    external_accounts: [],
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
    legal_accepted_at: null,
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
    identifier: primary?.emailAddress ?? u.username ?? "",
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
    actor: null,
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
