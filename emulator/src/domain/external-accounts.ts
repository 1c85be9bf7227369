import type { SocialProvider } from "../../../clerk/instance-settings";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId, randomBase62 } from "../store/ids";
import { externalAccountKey } from "../store/indexes";
import type {
  ExternalAccountRecord,
  OAuthFlowRecord,
  ProviderIdentity,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { providerScopes } from "./social-providers";
import { findUserByEmail, getUser, touchUser } from "./users";

// Social accounts: the OAuth flow through a stand-in provider page (started here, finished by
// oauth-flows.ts), which user an account belongs to by Clerk's linking rules, and the accounts a
// user connects and disconnects.

const FLOW_LIFETIME_MS = 10 * 60 * 1000;
const ACCESS_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export type FlowStart = {
  provider: SocialProvider;
  purpose: OAuthFlowRecord["purpose"];
  targetId: string;
  externalAccountId?: string;
  clientId: string | null;
  redirectUrl: string;
  actionCompleteRedirectUrl: string | null;
  // The Frontend API's address as the browser sees it: the provider page and the callback are
  // there (through the app's proxy in the default wiring).
  frontendApiUrl: string;
  // Scopes beyond the provider's own (<UserProfile/>'s `additionalOAuthScopes`).
  additionalScopes?: string[];
};

// Starts an OAuth flow: the verification a sign-in, sign-up or connection reports, whose
// `external_verification_redirect_url` is the stand-in provider's authorize page, with the
// parameters a real provider gets.
export function startOAuthFlow(ctx: Ctx, start: FlowStart): VerificationRecord {
  const { core } = ctx;
  const now = core.now();
  const flow: OAuthFlowRecord = {
    id: randomBase62(32),
    provider: start.provider,
    purpose: start.purpose,
    targetId: start.targetId,
    externalAccountId: start.externalAccountId ?? null,
    clientId: start.clientId,
    redirectUrl: start.redirectUrl,
    actionCompleteRedirectUrl: start.actionCompleteRedirectUrl,
    callbackUrl: `${start.frontendApiUrl}/v1/oauth_callback`,
    scopes: [
      ...new Set([...providerScopes(start.provider).split(" "), ...(start.additionalScopes ?? [])]),
    ].join(" "),
    code: null,
    identity: null,
    expiresAt: now + FLOW_LIFETIME_MS,
    createdAt: now,
  };
  core.store.put("oauthFlows", flow);
  const authorize = new URL(
    `${start.frontendApiUrl}/v1/oauth_stand_in/${start.provider}/authorize`,
  );
  authorize.search = new URLSearchParams({
    client_id: "clerk-emulator",
    redirect_uri: flow.callbackUrl,
    response_type: "code",
    scope: flow.scopes,
    state: flow.id,
  }).toString();
  return {
    strategy: `oauth_${start.provider}`,
    status: "unverified",
    emailAddressId: null,
    codeHash: null,
    attempts: 0,
    expireAt: flow.expiresAt,
    externalRedirectUrl: authorize.toString(),
  };
}

export const externalAccountsOf = (user: UserRecord) => user.externalAccounts ?? [];

// Who a provider account belongs to, by Clerk's rules: the user it is connected to; else the user
// whose verified address it carries, linked at once when the provider vouches for the address
// ("email"), after the user proves the address with a code when it does not ("unverified_email").
export function ownerOfIdentity(
  core: Core,
  identity: ProviderIdentity,
): { user: UserRecord; by: "account" | "email" | "unverified_email" } | null {
  const key = externalAccountKey(identity.provider, identity.providerUserId);
  const connected = core.store.lookup("users", "externalAccount", key)[0];
  if (connected) return { user: connected, by: "account" };
  const byEmail = findUserByEmail(core, identity.emailAddress, { verifiedOnly: true });
  if (!byEmail) return null;
  return { user: byEmail, by: identity.emailVerified ? "email" : "unverified_email" };
}

function issueAccessToken(core: Core, account: ExternalAccountRecord) {
  account.accessToken = `emulated_${account.provider}_${randomBase62(40)}`;
  account.accessTokenExpiresAt = core.now() + ACCESS_TOKEN_LIFETIME_MS;
}

const verified = (provider: SocialProvider, expireAt: number | null): VerificationRecord => ({
  strategy: `oauth_${provider}`,
  status: "verified",
  emailAddressId: null,
  codeHash: null,
  attempts: 1,
  expireAt,
});

// A verified account for `identity`, with a fresh access token (not yet any user's).
export function newExternalAccount(core: Core, identity: ProviderIdentity): ExternalAccountRecord {
  const now = core.now();
  const account: ExternalAccountRecord = {
    id: newId("eac"),
    provider: identity.provider,
    identificationId: newId("idn"),
    identity,
    verification: verified(identity.provider, now),
    accessToken: null,
    accessTokenExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
  issueAccessToken(core, account);
  return account;
}

// After a successful OAuth flow: the user's account for `identity` with what the provider now
// says and a fresh token, connecting it first if it is new to them (user.updated either way).
export function linkIdentity(ctx: Ctx, user: UserRecord, identity: ProviderIdentity) {
  const { core } = ctx;
  const accounts = externalAccountsOf(user);
  const existing = accounts.find(
    (a) =>
      a.provider === identity.provider && a.identity?.providerUserId === identity.providerUserId,
  );
  if (existing) {
    existing.identity = identity;
    existing.verification = verified(identity.provider, core.now());
    existing.updatedAt = core.now();
    issueAccessToken(core, existing);
    return touchUser(ctx, user, { externalAccounts: [...accounts] });
  }
  return touchUser(ctx, user, {
    externalAccounts: [...accounts, newExternalAccount(core, identity)],
  });
}

// <UserProfile/>'s "Connect account": a pending account and the OAuth flow that verifies it.
export function connectExternalAccount(
  ctx: Ctx,
  user: UserRecord,
  start: Omit<
    FlowStart,
    "purpose" | "targetId" | "externalAccountId" | "actionCompleteRedirectUrl"
  >,
): ExternalAccountRecord {
  const { core } = ctx;
  const now = core.now();
  const id = newId("eac");
  const account: ExternalAccountRecord = {
    id,
    provider: start.provider,
    identificationId: newId("idn"),
    identity: null,
    verification: startOAuthFlow(ctx, {
      ...start,
      purpose: "connect",
      targetId: user.id,
      externalAccountId: id,
      actionCompleteRedirectUrl: null,
    }),
    accessToken: null,
    accessTokenExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
  // Unverified accounts of the same provider are abandoned attempts: the new one replaces them.
  const kept = externalAccountsOf(user).filter(
    (a) => a.provider !== start.provider || a.verification.status === "verified",
  );
  touchUser(ctx, user, { externalAccounts: [...kept, account] });
  return account;
}

export function externalAccountOf(user: UserRecord, id: string): ExternalAccountRecord {
  const account = externalAccountsOf(user).find((a) => a.id === id);
  if (!account) throw errors.notFound("external account");
  return account;
}

// The flow that connects `account` came back: verified and the user's, unless another user has
// that provider account (then it stays, failed, for the user to remove or retry).
export function finishConnecting(
  ctx: Ctx,
  userId: string,
  accountId: string,
  identity: ProviderIdentity,
) {
  const user = getUser(ctx.core, userId);
  const account = externalAccountOf(user, accountId);
  const owner = ownerOfIdentity(ctx.core, identity);
  if (owner?.by === "account" && owner.user.id !== user.id) {
    account.verification = {
      ...account.verification,
      status: "failed",
      error: {
        code: "external_account_exists",
        message: "External account already exists",
        longMessage: `This ${identity.provider} account is already connected to another user.`,
      },
    };
    return touchUser(ctx, user, { externalAccounts: [...externalAccountsOf(user)] });
  }
  // Connecting again an account the user already has refreshes that one.
  const others = externalAccountsOf(user).filter((a) => a.id !== accountId);
  const same = others.find(
    (a) =>
      a.provider === identity.provider && a.identity?.providerUserId === identity.providerUserId,
  );
  if (same) {
    touchUser(ctx, user, { externalAccounts: others });
    return linkIdentity(ctx, user, identity);
  }
  account.identity = identity;
  account.verification = verified(identity.provider, ctx.core.now());
  account.updatedAt = ctx.core.now();
  issueAccessToken(ctx.core, account);
  return touchUser(ctx, user, { externalAccounts: [...externalAccountsOf(user)] });
}

// A flow that failed (the person cancelled at the provider): the verification says why.
export function failVerification(
  verification: VerificationRecord,
  error: NonNullable<VerificationRecord["error"]>,
): VerificationRecord {
  return { ...verification, status: "failed", error, externalRedirectUrl: undefined };
}

export function disconnectExternalAccount(ctx: Ctx, user: UserRecord, id: string) {
  externalAccountOf(user, id);
  return touchUser(ctx, user, {
    externalAccounts: externalAccountsOf(user).filter((a) => a.id !== id),
  });
}

// The Backend API's provider tokens of a user: one per verified account of that provider,
// refreshed when expired (as Clerk refreshes them with the provider's refresh token).
export function accessTokensOf(core: Core, user: UserRecord, provider: SocialProvider) {
  const accounts = externalAccountsOf(user).filter(
    (a) => a.provider === provider && a.verification.status === "verified" && a.identity,
  );
  for (const account of accounts) {
    if ((account.accessTokenExpiresAt ?? 0) <= core.now()) {
      issueAccessToken(core, account);
      core.store.save();
    }
  }
  return accounts;
}
