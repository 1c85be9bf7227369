import type { SocialProvider } from "../../../clerk/instance-settings";

// The emulator's persisted state. Field names are camelCase here; the wire JSON is built by
// emulator/src/json/*.ts so that state and protocol can evolve separately. Fields an index reads
// (store/indexes.ts) are readonly: they change only through Store.update, which re-files the record.
export type Metadata = Record<string, unknown>;

export type EmailAddressRecord = {
  readonly id: string;
  readonly emailAddress: string;
  // Read by the users' index of verified domains: changed through touchUser, never in place.
  readonly verified: boolean;
  // The code verification of an address the user added themselves (Frontend API). Absent for
  // addresses that arrived verified: from the Backend API, a sign-up or a seed.
  verification?: VerificationRecord;
  createdAt: number;
  updatedAt: number;
};

// A phone number: added by the Backend API (verified or not), or by the user in <UserProfile/>
// (unverified until the SMS code is entered). A verified number can sign its owner in with an SMS
// code where the instance allows it, and, reserved for the second factor, serve as their SMS
// two-step verification.
export type PhoneNumberRecord = {
  readonly id: string;
  // E.164, as Clerk stores it (+15555550100).
  readonly phoneNumber: string;
  verified: boolean;
  verification?: VerificationRecord;
  reservedForSecondFactor: boolean;
  defaultSecondFactor: boolean;
  createdAt: number;
  updatedAt: number;
};

// An authenticator app (TOTP, RFC 6238): the shared secret, unverified until the user enters a code
// from the app. `lastUsedStep`: the time step of the last accepted code, which is never accepted
// again (RFC 6238 §5.2).
export type TotpRecord = {
  id: string;
  secret: string;
  verified: boolean;
  lastUsedStep: number | null;
  createdAt: number;
  updatedAt: number;
};

// Backup codes: one-time codes for when the other second factors are out of reach. Only their
// SHA-256 hashes are kept; a used code is removed.
export type BackupCodesRecord = {
  id: string;
  codeHashes: string[];
  createdAt: number;
  updatedAt: number;
};

// A passkey (WebAuthn credential). Created unverified with a registration challenge; once the
// browser's attestation is verified it holds the credential's id and public key (base64url, COSE)
// and its signature counter.
export type PasskeyRecord = {
  readonly id: string;
  name: string;
  // Null until registered.
  readonly credentialId: string | null;
  publicKey: string | null;
  counter: number;
  transports: string[];
  // The registration under way: the challenge and the options the browser was given (JSON).
  registration: { challenge: string; options: string; expireAt: number } | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
};

// A picture the user uploaded in <UserProfile/>. Kept in the state, base64 (uploads are small: the
// 1 MiB body limit), and served by the emulator at `url` (domain/profile-images.ts).
export type ProfileImageRecord = {
  id: string;
  name: string;
  contentType: string;
  data: string;
  // Absolute, through the Frontend API address the upload came in on (the app's proxy).
  url: string;
  createdAt: number;
};

// Who a social provider says someone is: what its stand-in page returned for an OAuth flow.
export type ProviderIdentity = {
  provider: SocialProvider;
  // The account's id at the provider, stable across sign-ins.
  providerUserId: string;
  emailAddress: string;
  // Whether the provider vouches for the address (Clerk links accounts only on a verified one).
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  // Space-separated, as providers grant them.
  approvedScopes: string;
};

// A social account connected to a user. One being connected from <UserProfile/> waits for its
// OAuth flow with `identity` null and an unverified verification.
export type ExternalAccountRecord = {
  id: string;
  provider: SocialProvider;
  // The account as an identification of the user (Clerk's `identification_id`).
  identificationId: string;
  identity: ProviderIdentity | null;
  verification: VerificationRecord;
  // What the stand-in provider issued: Clerk hands it out through the Backend API.
  accessToken: string | null;
  accessTokenExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type UserRecord = {
  id: string;
  externalId: string | null;
  // Stored in lower case.
  readonly username: string | null;
  firstName: string | null;
  lastName: string | null;
  readonly emailAddresses: readonly EmailAddressRecord[];
  primaryEmailAddressId: string | null;
  readonly phoneNumbers: readonly PhoneNumberRecord[];
  primaryPhoneNumberId: string | null;
  passwordHash: string | null;
  totp: TotpRecord | null;
  backupCodes: BackupCodesRecord | null;
  readonly passkeys: readonly PasskeyRecord[];
  // When the user's first second factor was enrolled, and when their last one was removed.
  mfaEnabledAt: number | null;
  mfaDisabledAt: number | null;
  // When the user accepted the legal documents (at sign-up, where the instance asks); absent in
  // state files written before it was recorded.
  legalAcceptedAt?: number | null;
  // Absent: no upload, and the user shows an initials avatar.
  image?: ProfileImageRecord;
  // Absent in state files written before social connections existed.
  readonly externalAccounts?: readonly ExternalAccountRecord[];
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  unsafeMetadata: Metadata;
  banned: boolean;
  locked: boolean;
  lastSignInAt: number | null;
  lastActiveAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type OrganizationRecord = {
  id: string;
  name: string;
  readonly slug: string;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  maxAllowedMemberships: number;
  adminDeleteEnabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
};

// An organization permission: one of Clerk's system permissions, or one of the instance's own.
export type PermissionRecord = {
  id: string;
  key: string;
  name: string;
  description: string;
  type: "system" | "user";
  createdAt: number;
  updatedAt: number;
};

// Memberships and invitations name their role by key, as Clerk's APIs do.
export type RoleRecord = {
  id: string;
  key: string;
  name: string;
  description: string | null;
  permissionIds: string[];
  createdAt: number;
  updatedAt: number;
};

export type MembershipRecord = {
  id: string;
  readonly organizationId: string;
  readonly userId: string;
  role: string;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  createdAt: number;
  updatedAt: number;
};

// An invitation to an organization. Its ticket (a JWT the emulator signs, as Clerk does) is in the
// accept link; "expired" is not stored: a pending invitation past `expiresAt` reads as expired.
export type OrganizationInvitationRecord = {
  id: string;
  readonly organizationId: string;
  readonly emailAddress: string;
  role: string;
  status: "pending" | "accepted" | "revoked";
  inviterUserId: string | null;
  // The invitee's user: known at once when the address already has an account, else on accepting.
  readonly userId: string | null;
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  redirectUrl: string | null;
  // The verified domain whose automatic invitation this is (absent: someone invited the address).
  organizationDomainId?: string;
  acceptLink: string;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
};

// A sign-in token (Backend API /v1/sign_in_tokens): its ticket signs the user in once, without
// credentials. Like an invitation, "expired" is not stored: Clerk reports such a token as pending.
export type SignInTokenRecord = {
  id: string;
  readonly userId: string;
  status: "pending" | "accepted" | "revoked";
  // The organization the new session activates (`org_id`).
  organizationId: string | null;
  token: string;
  url: string;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
};

// An actor token (Backend API /v1/actor_tokens): its ticket signs `actor.sub` in as the user, once,
// into a session that carries the actor (the session token's `act` claim) and lasts at most
// `sessionMaxDurationSeconds`.
export type ActorTokenRecord = {
  id: string;
  readonly userId: string;
  actor: { sub: string } & Record<string, unknown>;
  status: "pending" | "accepted" | "revoked";
  token: string;
  url: string;
  expiresAt: number;
  sessionMaxDurationSeconds: number;
  createdAt: number;
  updatedAt: number;
};

export const ENROLLMENT_MODES = [
  "manual_invitation",
  "automatic_invitation",
  "automatic_suggestion",
] as const;
export type EnrollmentMode = (typeof ENROLLMENT_MODES)[number];

// How an organization proved it belongs to a domain: a code emailed to an address there (an
// `email_code` verification), or the Backend API's say-so ("admin", verified on create or by an
// update). Null until either happens.
export type DomainVerificationRecord =
  | VerificationRecord
  | { strategy: "admin"; status: "verified" };

// An organization's email domain. Once verified, people with a verified address there are
// invited (automatic_invitation) or offered to ask to join (automatic_suggestion).
export type OrganizationDomainRecord = {
  id: string;
  readonly organizationId: string;
  readonly name: string;
  enrollmentMode: EnrollmentMode;
  affiliationEmailAddress: string | null;
  verification: DomainVerificationRecord | null;
  createdAt: number;
  updatedAt: number;
};

// A verified domain's suggestion to one of its people: "accepted" once they asked to join (a
// membership request).
export type OrganizationSuggestionRecord = {
  id: string;
  readonly organizationId: string;
  readonly organizationDomainId: string;
  readonly userId: string;
  status: "pending" | "accepted";
  createdAt: number;
  updatedAt: number;
};

// A user's request to join, made by accepting a suggestion; an admin accepts or rejects it.
export type MembershipRequestRecord = {
  id: string;
  readonly organizationId: string;
  readonly userId: string;
  status: "pending" | "accepted" | "rejected";
  createdAt: number;
  updatedAt: number;
};

export type ApiKeyRecord = {
  id: string;
  name: string;
  readonly subject: string;
  description: string | null;
  scopes: string[];
  claims: Metadata | null;
  // sha256 of the secret: the secret itself is returned once, on create, and never stored.
  readonly secretHash: string;
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  createdBy: string | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
};

// A machine of Clerk's machine-to-machine authentication. Its secret is kept in the clear: Clerk
// shows it again at any time (the Dashboard, GET /v1/machines/:id/secret_key). A rotation keeps the
// previous secret usable until `previousSecret.expiresAt`.
export type MachineRecord = {
  id: string;
  name: string;
  defaultTokenTtl: number;
  // The machines this one may send tokens to (its machine scopes), in the order they were granted.
  scopedMachines: { id: string; createdAt: number }[];
  readonly secret: string;
  readonly previousSecret: { secret: string; expiresAt: number } | null;
  createdAt: number;
  updatedAt: number;
};

// An opaque M2M token (JWT-format ones are not stored, as in Clerk). The token itself is kept:
// `min_remaining_ttl_seconds` hands an existing token out again.
export type M2MTokenRecord = {
  id: string;
  readonly subject: string;
  readonly token: string;
  // The ids of the machines it may be presented to: its machine's scopes when it was created.
  scopes: string[];
  claims: Metadata | null;
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
};

// An OAuth application of Clerk's OAuth server (Backend API /v1/oauth_applications, or registered
// by a client itself through /oauth/register). Its secret is kept in the clear, as machine
// secrets are; a public client has none.
export type OAuthApplicationRecord = {
  id: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  name: string;
  clientUri: string | null;
  clientImageUrl: string | null;
  dynamicallyRegistered: boolean;
  consentScreenEnabled: boolean;
  pkceRequired: boolean;
  public: boolean;
  // Space-separated, as Clerk stores them: the scopes this application may ask for.
  scopes: string;
  redirectUris: string[];
  createdAt: number;
  updatedAt: number;
};

// What a user consented to: one application, the scopes granted, and the organization the tokens
// act in (chosen on the consent screen with `user:org:read`). Revoking any of its tokens (or the
// grant) revokes them all.
export type OAuthGrantRecord = {
  id: string;
  readonly applicationId: string;
  readonly userId: string;
  organizationId: string | null;
  scopes: string[];
  revoked: boolean;
  createdAt: number;
  updatedAt: number;
};

// An authorization code: single use, short-lived, bound to its redirect URI and PKCE challenge.
export type OAuthCodeRecord = {
  // The code itself.
  id: string;
  readonly grantId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  used: boolean;
  expiresAt: number;
};

// An opaque access or refresh token (JWT-format access tokens are not stored, as in Clerk). A
// refresh token is used once: refreshing revokes it and issues a new pair (rotation), and
// presenting it again revokes the whole grant.
export type OAuthTokenRecord = {
  id: string;
  readonly kind: "access" | "refresh";
  readonly token: string;
  readonly grantId: string;
  scopes: string[];
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  createdAt: number;
  updatedAt: number;
};

export type OAuthApplicationSettings = {
  dynamicOAuthClientRegistration: boolean;
  oauthJwtAccessTokens: boolean;
};

export type SessionStatus = "active" | "ended" | "removed" | "revoked" | "expired" | "abandoned";

export type SessionRecord = {
  id: string;
  clientId: string;
  readonly userId: string;
  status: SessionStatus;
  lastActiveOrganizationId: string | null;
  lastActiveAt: number;
  expireAt: number;
  abandonAt: number;
  // The address and User-Agent it was created from ("Active devices"); absent in state files
  // written before they were recorded.
  signedInFrom?: { clientIp: string; userAgent: string };
  // When the session last verified a first factor (its sign-in, or a reverification) and a second
  // factor (null: never): the `fva` claim and `factor_verification_age`, in minutes.
  firstFactorVerifiedAt: number;
  secondFactorVerifiedAt: number | null;
  // The reverification under way (`session.startVerification()`), if any.
  reverification: ReverificationRecord | null;
  // Who is impersonating the user (an actor token's `actor`); absent for the user's own sessions.
  actor?: ActorTokenRecord["actor"];
  createdAt: number;
  updatedAt: number;
};

// A session's reverification: the signed-in user proves again who they are before a sensitive
// action. `level` is what the session now has to verify (a second factor asked of a user without
// one falls back to the first, as Clerk does).
export type ReverificationRecord = {
  level: "first_factor" | "second_factor" | "multi_factor";
  status: "needs_first_factor" | "needs_second_factor" | "complete";
  firstFactorVerification: VerificationRecord | null;
  secondFactorVerification: VerificationRecord | null;
  createdAt: number;
};

// A browser's Clerk client. In a development instance each dev browser (`__clerk_db_jwt`) owns
// exactly one client, so two browsers never share sessions.
export type ClientRecord = {
  id: string;
  readonly devBrowserId: string | null;
  sessionIds: string[];
  lastActiveSessionId: string | null;
  signInId: string | null;
  signUpId: string | null;
  // How this browser last signed in (the first factor's strategy: `password`, `oauth_google`...),
  // which <SignIn/> marks "Last used"; absent: never, or in state files written before.
  lastAuthenticationStrategy?: string | null;
  createdAt: number;
  updatedAt: number;
};

// A verification as Clerk reports it. Codes are kept hashed for checking (and in the clear in the
// mailbox, because a development tool must let you read your own codes).
export type VerificationRecord = {
  strategy:
    | "password"
    | "email_code"
    | "reset_password_email_code"
    | "email_link"
    | "ticket"
    | "phone_code"
    | "totp"
    | "backup_code"
    | "passkey"
    // A social provider's OAuth flow, and an address that provider vouched for.
    | `oauth_${SocialProvider}`
    | `from_oauth_${SocialProvider}`;
  // "transferable": an OAuth flow found no account to sign in (or found one to sign up): the
  // client turns the sign-in into a sign-up (or back) with `transfer`.
  status: "unverified" | "verified" | "failed" | "expired" | "transferable";
  emailAddressId: string | null;
  // The number an SMS code went to (`phone_code`); absent for the other strategies.
  phoneNumberId?: string | null;
  // `passkey`: the WebAuthn request options given to the browser (JSON, with their challenge).
  nonce?: string | null;
  codeHash: string | null;
  attempts: number;
  expireAt: number | null;
  // OAuth: where the browser goes to authorize (the stand-in provider page), and why the flow
  // failed or must be transferred (Clerk's error object).
  externalRedirectUrl?: string;
  error?: { code: string; message: string; longMessage: string };
};

export type SignInStatus =
  | "needs_identifier"
  | "needs_first_factor"
  // The user has two-step verification: a code from it is due.
  | "needs_second_factor"
  // Device Trust: a password sign-in on a browser the user never had a session on; an emailed (or
  // texted) code is due.
  | "needs_client_trust"
  // A password-reset code was accepted: the sign-in completes with the new password.
  | "needs_new_password"
  | "complete";

export type SignInRecord = {
  id: string;
  clientId: string;
  status: SignInStatus;
  identifier: string | null;
  userId: string | null;
  firstFactorVerification: VerificationRecord | null;
  secondFactorVerification: VerificationRecord | null;
  // The organization invitation whose ticket this sign-in uses: accepted when it completes.
  invitationId: string | null;
  // The sign-in token whose ticket this sign-in uses (its organization is activated on completion).
  signInTokenId?: string;
  // The actor token whose ticket this sign-in uses: the session it creates impersonates the user.
  actorTokenId?: string;
  // A social account this sign-in came with: linked to the user when it completes, or handed
  // to a sign-up by `transfer` when no user has it.
  identity?: ProviderIdentity;
  createdSessionId: string | null;
  createdAt: number;
  updatedAt: number;
  abandonAt: number;
};

export type SignUpStatus = "missing_requirements" | "complete" | "abandoned";

export type SignUpRecord = {
  id: string;
  clientId: string;
  status: SignUpStatus;
  emailAddress: string | null;
  firstName: string | null;
  lastName: string | null;
  // When the person accepted the legal documents (`legal_accepted`); absent: not yet.
  legalAcceptedAt?: number | null;
  passwordHash: string | null;
  emailVerification: VerificationRecord | null;
  username: string | null;
  // E.164, verified with a texted code (`phone_code`) before the sign-up completes.
  phoneNumber: string | null;
  phoneVerification: VerificationRecord | null;
  // A sign-up through a social provider: the OAuth flow's verification, and the account it
  // returned, which the new user gets.
  externalAccountVerification?: VerificationRecord;
  identity?: ProviderIdentity;
  // The organization invitation whose ticket this sign-up uses: accepted when it completes.
  invitationId: string | null;
  createdUserId: string | null;
  createdSessionId: string | null;
  createdAt: number;
  updatedAt: number;
  abandonAt: number;
};

// An "email" or text message: there is no mail server nor SMS gateway, so it lands in the mailbox
// (the inspect page). It carries a verification code or an invitation's accept link.
export type SentEmail = {
  id: string;
  // Absent in state files written before text messages existed: an email.
  channel?: "email" | "sms";
  // An email address, or an E.164 phone number for a text message.
  to: string;
  subject: string;
  code: string | null;
  link: string | null;
  createdAt: number;
};

// An emailed link (`/v1/verify?token=`), filed under the SHA-256 of its token: opening it verifies
// what it was sent for (a sign-in, a sign-up's address, an address added in <UserProfile/>), once.
export type EmailLinkRecord = {
  id: string;
  purpose: "sign_in" | "sign_up" | "email_address";
  // The sign-in, the sign-up, or the email address the link verifies.
  targetId: string;
  // The app page the browser goes on to, told how it went (`__clerk_status`).
  redirectUrl: string;
  expiresAt: number;
  createdAt: number;
};

// An OAuth flow through a stand-in provider, from the redirect to the callback. Its id is the
// flow's `state`; the code is issued when someone picks an identity on the provider page.
export type OAuthFlowRecord = {
  id: string;
  provider: SocialProvider;
  // What the callback completes: a sign-in, a sign-up, or connecting an account to a user
  // (`targetId` is the sign-in, sign-up or user; `externalAccountId` the account connected).
  purpose: "sign_in" | "sign_up" | "connect";
  targetId: string;
  externalAccountId: string | null;
  clientId: string | null;
  // Where the callback sends the browser: the app's SSO callback (or the page that connected),
  // and, once a sign-in or sign-up is complete, the page after it.
  redirectUrl: string;
  actionCompleteRedirectUrl: string | null;
  // The Frontend API's /v1/oauth_callback as the browser reaches it (through the app's proxy).
  callbackUrl: string;
  scopes: string;
  code: string | null;
  identity: ProviderIdentity | null;
  expiresAt: number;
  createdAt: number;
};

export type JwtTemplateRecord = {
  name: string;
  claims: Metadata;
  lifetimeSeconds: number;
};

export type WebhookAttempt = {
  at: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  // The start of the endpoint's answer, as Svix's dashboard shows it (e.g. {"status":"rejected"}).
  response?: string;
};

export type WebhookMessage = {
  id: string;
  eventType: string;
  payload: string;
  createdAt: number;
  state: "pending" | "succeeded" | "failed";
  attempts: WebhookAttempt[];
  nextAttemptAt: number | null;
};

// Clerk Billing, for organizations (billing/*). A plan as clerk/billing-plans.json declares it, with
// the ids Clerk gives plans and features.
export type BillingFeatureRecord = { id: string; key: string; name: string; description: string };

export type BillingPlanRecord = {
  id: string;
  key: string;
  name: string;
  description: string;
  isDefault: boolean;
  // Cents.
  monthlyFee: number;
  annualMonthlyFee: number;
  seats: number;
  features: BillingFeatureRecord[];
  createdAt: number;
};

// Who pays: one per organization, created with its first subscription.
export type BillingPayerRecord = {
  id: string;
  readonly organizationId: string;
  // The member who first acted for it (Clerk's webhooks name a user on every payer).
  userId: string | null;
  createdAt: number;
  updatedAt: number;
};

// A card. Offline there is no Stripe to collect one: each payer gets the emulator's test card
// (Stripe's test Visa), and Stripe test-mode tokens (pm_card_visa, ...) add others.
export type BillingPaymentMethodRecord = {
  id: string;
  readonly payerId: string;
  cardType: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
};

export type BillingPlanPeriod = "month" | "annual";

export type SubscriptionItemRecord = {
  id: string;
  planId: string;
  planPeriod: BillingPlanPeriod;
  // active: in force; upcoming: starts at periodStart (a scheduled downgrade); canceled: in force
  // until periodEnd, then ended; ended: over.
  status: "active" | "upcoming" | "canceled" | "ended";
  paymentMethodId: string | null;
  periodStart: number;
  periodEnd: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type SubscriptionRecord = {
  id: string;
  readonly payerId: string;
  items: SubscriptionItemRecord[];
  activeAt: number;
  latestPaymentId: string | null;
  createdAt: number;
  updatedAt: number;
};

export type CheckoutRecord = {
  id: string;
  readonly payerId: string;
  planId: string;
  planPeriod: BillingPlanPeriod;
  status: "needs_confirmation" | "completed";
  paymentMethodId: string | null;
  // The item it created, once confirmed.
  subscriptionItemId: string | null;
  createdAt: number;
  updatedAt: number;
};

// A charge: one per paid period. Statements group a payer's charges by month.
export type PaymentAttemptRecord = {
  id: string;
  readonly payerId: string;
  subscriptionItemId: string;
  statementId: string;
  paymentMethodId: string;
  chargeType: "checkout" | "recurring";
  amount: number;
  status: "pending" | "paid" | "failed";
  paidAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type StatementRecord = {
  id: string;
  readonly payerId: string;
  // The first instant of its month (UTC).
  timestamp: number;
  createdAt: number;
};

export type EmulatorState = {
  version: 1;
  instanceId: string;
  users: Record<string, UserRecord>;
  organizations: Record<string, OrganizationRecord>;
  memberships: Record<string, MembershipRecord>;
  permissions: Record<string, PermissionRecord>;
  roles: Record<string, RoleRecord>;
  invitations: Record<string, OrganizationInvitationRecord>;
  signInTokens: Record<string, SignInTokenRecord>;
  actorTokens: Record<string, ActorTokenRecord>;
  organizationDomains: Record<string, OrganizationDomainRecord>;
  organizationSuggestions: Record<string, OrganizationSuggestionRecord>;
  membershipRequests: Record<string, MembershipRequestRecord>;
  apiKeys: Record<string, ApiKeyRecord>;
  machines: Record<string, MachineRecord>;
  m2mTokens: Record<string, M2MTokenRecord>;
  oauthApplications: Record<string, OAuthApplicationRecord>;
  oauthGrants: Record<string, OAuthGrantRecord>;
  oauthCodes: Record<string, OAuthCodeRecord>;
  oauthTokens: Record<string, OAuthTokenRecord>;
  oauthApplicationSettings: OAuthApplicationSettings;
  sessions: Record<string, SessionRecord>;
  clients: Record<string, ClientRecord>;
  signIns: Record<string, SignInRecord>;
  signUps: Record<string, SignUpRecord>;
  oauthFlows: Record<string, OAuthFlowRecord>;
  emailLinks: Record<string, EmailLinkRecord>;
  mailbox: SentEmail[];
  jwtTemplates: Record<string, JwtTemplateRecord>;
  webhookMessages: WebhookMessage[];
  billingPlans: Record<string, BillingPlanRecord>;
  billingPayers: Record<string, BillingPayerRecord>;
  billingPaymentMethods: Record<string, BillingPaymentMethodRecord>;
  subscriptions: Record<string, SubscriptionRecord>;
  checkouts: Record<string, CheckoutRecord>;
  paymentAttempts: Record<string, PaymentAttemptRecord>;
  statements: Record<string, StatementRecord>;
};
