// Clerk's Backend API error envelope: { errors: [{ code, message, long_message, meta }], clerk_trace_id }.
export type ClerkErrorJSON = {
  code: string;
  message: string;
  long_message: string;
  meta?: { param_name?: string } & Record<string, unknown>;
};

export class ClerkApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ClerkErrorJSON[],
  ) {
    super(errors.map((e) => e.long_message).join("; "));
  }
}

function single(
  status: number,
  code: string,
  message: string,
  longMessage: string,
  paramName?: string,
) {
  const meta = paramName ? { param_name: paramName } : undefined;
  return new ClerkApiError(status, [{ code, message, long_message: longMessage, meta }]);
}

export const errors = {
  unauthenticated: () =>
    single(
      401,
      "authentication_invalid",
      "Unauthorized request",
      "You are not authorized to perform this request",
    ),
  notFound: (what = "resource") =>
    single(404, "resource_not_found", "not found", `The requested ${what} could not be found.`),
  unsupportedContentType: () =>
    single(
      400,
      "unsupported_content_type",
      "unsupported content type",
      "Request bodies must be sent with Content-Type: application/json.",
    ),
  malformedBody: (longMessage = "The request body is not valid JSON.") =>
    single(400, "malformed_request_body", "malformed body", longMessage),
  bodyTooLarge: () =>
    single(400, "request_body_too_large", "body too large", "The request body exceeds 1 MiB."),
  paramMissing: (param: string, status = 422) =>
    single(
      status,
      "form_param_missing",
      `${param} is missing`,
      `${param} must be included.`,
      param,
    ),
  // A parameter for something the instance does not offer (a password when passwords are off).
  paramUnknown: (param: string) =>
    single(
      422,
      "form_param_unknown",
      `${param} is not a valid parameter`,
      `${param} is not a valid parameter for this request.`,
      param,
    ),
  paramInvalid: (param: string, why: string, status = 422) =>
    single(status, "form_param_format_invalid", `${param} is invalid`, `${param} ${why}.`, param),
  identifierExists: (param: string) =>
    single(
      422,
      "form_identifier_exists",
      "That identifier is taken. Please try another.",
      `That ${param.replace(/_/g, " ")} is taken. Please try another.`,
      param,
    ),
  // Clerk's username codes; <SignUp/> and <UserProfile/> translate them, the length one with the
  // limits in `meta`.
  usernameInvalid: (code: string, message: string, limits?: { min: number; max: number }) =>
    new ClerkApiError(422, [
      {
        code,
        message,
        long_message: message,
        meta: {
          param_name: "username",
          ...(limits ? { min_length: limits.min, max_length: limits.max } : {}),
        },
      },
    ]),
  passwordTooShort: (param = "password") =>
    single(
      422,
      "form_password_length_too_short",
      "Passwords must be 8 characters or more.",
      "Passwords must be 8 characters or more.",
      param,
    ),
  duplicateRecord: (what: string, status = 422) =>
    single(
      status,
      "duplicate_record",
      "duplicate record",
      `The ${what} you are trying to create already exists.`,
    ),
  // Frontend API: codes the Clerk UI maps to messages under the right field.
  devBrowserUnauthenticated: () =>
    single(
      401,
      "dev_browser_unauthenticated",
      "Unauthorized request",
      "No dev browser is associated with this request.",
    ),
  signedOut: () =>
    single(401, "signed_out", "Signed out", "You are signed out. Please sign in again."),
  identifierNotFound: () =>
    single(
      422,
      "form_identifier_not_found",
      "Couldn't find your account.",
      "Couldn't find your account.",
      "identifier",
    ),
  noPasswordSet: () =>
    single(400, "password_not_set", "no password", "This user has no password set.", "password"),
  passwordIncorrect: (param = "password") =>
    single(
      422,
      "form_password_incorrect",
      "Password is incorrect. Try again, or use another method.",
      "Password is incorrect. Try again, or use another method.",
      param,
    ),
  newPasswordMatchesCurrent: () =>
    single(
      422,
      "form_new_password_matches_current",
      "New password cannot be the same as the current password.",
      "New password cannot be the same as the current password.",
      "new_password",
    ),
  // No field: <UserProfile/> shows it above the remove form.
  identificationDeletionFailed: (longMessage: string) =>
    single(400, "identification_deletion_failed", "Deletion failed", longMessage),
  // A first factor this user or instance does not have (say, password when passwords are off).
  strategyForUserInvalid: () =>
    single(
      422,
      "strategy_for_user_invalid",
      "Invalid verification strategy",
      "The verification strategy is not valid for this account",
      "strategy",
    ),
  codeIncorrect: () =>
    single(422, "form_code_incorrect", "Incorrect code", "Incorrect code", "code"),
  verificationExpired: () =>
    single(
      400,
      "verification_expired",
      "Expired",
      "This verification has expired. Request a new code.",
      "code",
    ),
  verificationFailed: () =>
    single(
      400,
      "verification_failed",
      "Too many failed attempts",
      "Too many failed attempts. Request a new code.",
      "code",
    ),
  sessionExists: () =>
    single(400, "session_exists", "You're already signed in.", "You're already signed in."),
  notAllowed: (longMessage: string) =>
    single(403, "not_allowed_access", "Not allowed", longMessage),
  conflict: (longMessage: string) => single(409, "duplicate_record", "conflict", longMessage),
  // Organization invitations and their tickets: Clerk's codes and statuses. The UI translates the
  // ticket codes ("This link is no longer valid ...").
  ticketInvalid: () =>
    single(
      400,
      "ticket_invalid_code",
      "invalid ticket",
      "This ticket is invalid. Make sure you're using a valid ticket generated by Clerk.",
    ),
  ticketExpired: () =>
    single(400, "ticket_expired_code", "expired ticket", "This ticket has expired."),
  // Sign-in tokens' codes, as Clerk's API error catalogue lists them.
  signInTokenRevoked: () =>
    single(
      400,
      "sign_in_token_revoked_code",
      "sign in token has been revoked",
      "This sign in token has been revoked and cannot be used anymore.",
    ),
  signInTokenAlreadyUsed: () =>
    single(
      400,
      "sign_in_token_already_used_code",
      "sign in token has already been used",
      "This sign in token has already been used. Each token can only be used once.",
    ),
  signInTokenCannotBeUsed: () =>
    single(
      400,
      "sign_in_token_cannot_be_used_code",
      "sign in token cannot be used",
      "This sign in token cannot be used anymore. Please request a new one.",
    ),
  signInTokenNotInSignIn: () =>
    single(
      400,
      "sign_in_token_not_in_sign_in_code",
      "not in sign in",
      "Sign in tokens can only be used during sign in.",
    ),
  signInTokenCannotBeRevoked: (status: string) =>
    single(
      400,
      "sign_in_token_cannot_be_revoked_code",
      "cannot revoke",
      `Sign in token cannot be revoked because its status is ${status}. Only pending tokens can be revoked.`,
    ),
  // Actor tokens' codes, as Clerk's API error catalogue lists them.
  actorTokenRevoked: () =>
    single(
      400,
      "actor_token_revoked_code",
      "actor token has been revoked",
      "This actor token has been revoked and cannot be used anymore.",
    ),
  actorTokenAlreadyUsed: () =>
    single(
      400,
      "actor_token_already_used_code",
      "actor token has already been used",
      "This actor token has already been used. Each token can only be used once.",
    ),
  actorTokenNotInSignIn: () =>
    single(
      400,
      "actor_token_not_in_sign_in_code",
      "not in sign in",
      "Actor tokens can only be used during sign in.",
    ),
  actorTokenSubjectNotFound: () =>
    single(
      404,
      "actor_token_subject_not_found",
      "user not found",
      "The user of the actor token no longer exists. Please request a new one.",
    ),
  actorTokenCannotBeRevoked: (status: string) =>
    single(
      400,
      "actor_token_cannot_be_revoked_code",
      "cannot revoke",
      `Actor token cannot be revoked because its status is ${status}. Only pending tokens can be revoked.`,
    ),
  invitationRevoked: () =>
    single(
      400,
      "organization_invitation_revoked_code",
      "invitation has been revoked",
      "This invitation has been revoked and cannot be used anymore.",
    ),
  invitationAlreadyAccepted: () =>
    single(
      400,
      "organization_invitation_already_accepted",
      "invitation has already been accepted",
      "This invitation has already been accepted. Sign in instead.",
    ),
  invitationNotPending: () =>
    single(
      404,
      "organization_invitation_not_pending",
      "not pending",
      'The organization invitation is not in the "pending" status.',
    ),
  invitationToDeletedOrganization: () =>
    single(
      400,
      "organization_invitation_to_deleted_organization",
      "organization invitation to deleted organization",
      "This invitation refers to an organization that has been deleted.",
    ),
  invitationAccountMissing: () =>
    single(
      400,
      "organization_invitation_identification_not_exist",
      "identification not found",
      "This invitation refers to a non-existing identification.",
    ),
  invitationAccountExists: () =>
    single(
      400,
      "organization_invitation_identification_already_exists",
      "email address already exists",
      "The email address in this invitation already exists. If it belongs to you, try signing in instead.",
    ),
  // <OrganizationProfile/> reads the address out of the long message to name it.
  // Clerk's answer to one member or invitation past the organization's limit (its plan's seats).
  membershipQuotaExceeded: (limit: number) =>
    single(
      403,
      "organization_membership_quota_exceeded",
      "Membership quota exceeded",
      `You have reached your limit of ${limit} organization memberships, including outstanding invitations.`,
    ),
  alreadyAMember: (emailAddress: string) =>
    single(
      400,
      "already_a_member_in_organization",
      "already a member",
      `${emailAddress} is already a member of the organization.`,
    ),
  notAnAdmin: (userId: string) =>
    single(
      403,
      "not_an_admin_in_organization",
      "not an administrator",
      `${userId} is not an administrator in the organization. Only administrators can perform this action.`,
    ),
  // Verified domains and membership requests. The first two are codes @clerk/ui knows; the
  // rest name what went wrong in Clerk's style where Clerk does not document its own.
  organizationDomainCommon: (name: string) =>
    single(
      400,
      "organization_domain_common",
      "common email provider",
      `${name} is a common email provider's domain and cannot be an organization's domain.`,
      "name",
    ),
  organizationDomainTaken: (name: string) =>
    single(
      400,
      "organization_domain_already_exists",
      "domain already verified",
      `${name} is already a verified domain of another organization.`,
      "name",
    ),
  organizationDomainQuotaExceeded: (max: number) =>
    single(
      403,
      "organization_domain_quota_exceeded",
      "too many domains",
      `An organization can have at most ${max} domains.`,
    ),
  organizationDomainAlreadyVerified: () =>
    single(
      400,
      "organization_domain_already_verified",
      "already verified",
      "This domain is already verified.",
    ),
  membershipRequestNotPending: () =>
    single(
      422,
      "organization_membership_request_not_pending",
      "not pending",
      'The organization membership request is not in the "pending" status.',
    ),
  alreadyAMemberOf: (userId: string) =>
    single(
      400,
      "already_a_member_in_organization",
      "already a member",
      `${userId} is already a member of the organization.`,
    ),
  // Organization roles and permissions: Clerk's codes and statuses.
  roleNotFound: (param?: string) =>
    single(404, "resource_not_found", "not found", "Organization role not found", param),
  permissionNotFound: () =>
    single(404, "resource_not_found", "not found", "Organization permission not found"),
  roleIsCreatorRole: () =>
    single(
      422,
      "organization_role_default_creator_role",
      "role is used as the creator role",
      "The organization role cannot be deleted as it is currently used as the creator role.",
    ),
  roleIsDefaultRole: () =>
    single(
      422,
      "organization_role_domain_default_role",
      "role is used as the domain default role",
      "The organization role cannot be deleted as it is currently used as the default domain role.",
    ),
  roleAssignedToMembers: () =>
    single(
      422,
      "organization_role_assigned_members",
      "role is assigned to organization members",
      "The organization role is currently assigned to one or more organization members.",
    ),
  roleInInvitations: () =>
    single(
      422,
      "organization_role_exists_in_invitations",
      "role exists in pending organization invitations",
      "The organization role exists in one or more pending organization invitations. Please revoke these invitations to proceed.",
    ),
  creatorRolePermissionsMissing: (keys: readonly string[]) =>
    single(
      422,
      "organization_missing_creator_role_permissions",
      "missing permissions for creator role",
      `The creator role must contain the following permissions: ${keys.join(", ")}`,
    ),
  systemPermissionNotModifiable: () =>
    single(
      403,
      "organization_system_permission_not_modifiable",
      "organization system permission cannot be modified",
      "This organization permission cannot be modified because it is a system permission.",
    ),
  rolePermissionExists: () =>
    single(
      409,
      "organization_role_permission_association_exists",
      "permission already assigned to role",
      "This organization permission is already associated to this organization role.",
    ),
  rolePermissionNotFound: () =>
    single(
      404,
      "organization_role_permission_association_not_found",
      "permission not assigned to role",
      "This organization permission is not associated with the organization role.",
    ),
  apiKeyNotFound: () => single(404, "resource_not_found", "not found", "API key not found."),
  // Passkeys (WebAuthn): a credential that does not verify, or that no account holds.
  passkeyInvalid: (why: string) =>
    single(
      400,
      "passkey_invalid",
      "Passkey verification failed",
      `The passkey could not be verified: ${why}.`,
      "public_key_credential",
    ),
  passkeyNotFound: () =>
    single(
      422,
      "form_identifier_not_found",
      "Couldn't find your account.",
      "No account has this passkey. Sign in another way and add it in your profile.",
    ),
  machineNotFound: (param?: string) =>
    single(404, "resource_not_found", "not found", "Machine not found.", param),
  // What @clerk/backend reports as "Machine token not found": unknown, revoked, expired, or not
  // granted to the machine that asks.
  m2mTokenNotFound: () =>
    single(404, "resource_not_found", "not found", "Machine token not found."),
  machineScopeExists: () =>
    single(409, "duplicate_record", "conflict", "This machine already has access to that machine."),
  // A Backend API call that only a machine's secret key may make (creating M2M tokens).
  machineSecretKeyRequired: () =>
    single(
      401,
      "authentication_invalid",
      "Unauthorized request",
      "This request must be authenticated with a machine secret key.",
    ),
};
