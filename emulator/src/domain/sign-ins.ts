import type { Core, Ctx } from "../core";
import { verifyPassword } from "../crypto/password";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type {
  ClientRecord,
  EmailAddressRecord,
  ProviderIdentity,
  SignInRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { activeSessionsOf } from "./dev-browsers";
import { checkEmailCode, sendEmailCode } from "./email-codes";
import { type LinkOutcome, sendEmailLink } from "./email-links";
import { linkIdentity, ownerOfIdentity, startOAuthFlow } from "./external-accounts";
import { offeredSettings } from "./instance-settings";
import { acceptInvitation, assertTicketUsable, invitationForTicket } from "./invitations";
import { setPassword } from "./passwords";
import { createSession } from "./sessions";
import { providerOfStrategy } from "./social-providers";
import { findUserByEmail, findUserByUsername, hashNewPassword } from "./users";

const SIGN_IN_LIFETIME_MS = 24 * 60 * 60 * 1000;

// Where the browser goes once an emailed link is opened, and the Frontend API as it sees it.
export type LinkRedirect = { redirectUrl: string; frontendApiUrl: string };

// Where an OAuth flow's callback sends the browser (see external-accounts.ts FlowStart).
export type OAuthRedirect = {
  redirectUrl: string;
  actionCompleteRedirectUrl: string | null;
  frontendApiUrl: string;
};

export type FirstFactorAttempt =
  | { strategy: "password"; password: string }
  | { strategy: "email_code"; code: string }
  // With the new password, the reset completes at once (the legacy forgot-password flow); without,
  // the sign-in waits for it (reset_password).
  | { strategy: "reset_password_email_code"; code: string; password?: string | undefined };

// The factors that send a code to the user's primary address, and what the email says it is for.
const CODE_FACTORS = {
  email_code: "sign-in",
  reset_password_email_code: "password reset",
} as const;
const isCodeFactor = (strategy: string): strategy is keyof typeof CODE_FACTORS =>
  Object.hasOwn(CODE_FACTORS, strategy);

function userOf(ctx: Ctx, signIn: SignInRecord): UserRecord {
  const user = signIn.userId ? ctx.core.store.state.users[signIn.userId] : undefined;
  if (!user) throw errors.identifierNotFound();
  return user;
}

export type FirstFactor =
  | { strategy: "password" }
  | { strategy: keyof typeof CODE_FACTORS | "email_link"; emailAddress: EmailAddressRecord };

// What the identified user can sign in with on this instance: their password, if they have one
// and the instance takes passwords; a code sent to their primary address; and, with a password,
// a password-reset code there (what makes <SignIn/>'s "Forgot password?" offer a reset).
export function firstFactorsOf(core: Core, user: UserRecord, signIn?: SignInRecord): FirstFactor[] {
  // A social account whose provider does not vouch for the address links only once the user
  // proves it with a code (Clerk's account-linking rule), whatever else the instance offers.
  const linking = signIn?.identity?.emailAddress;
  if (linking) {
    const email = user.emailAddresses.find((e) => e.emailAddress === linking && e.verified);
    return email ? [{ strategy: "email_code", emailAddress: email }] : [];
  }
  const offered = offeredSettings(core).first_factors;
  const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
  const password = offered.password && user.passwordHash !== null;
  const factors: FirstFactor[] = password ? [{ strategy: "password" }] : [];
  if (email && offered.email_code) factors.push({ strategy: "email_code", emailAddress: email });
  if (email && offered.email_link) factors.push({ strategy: "email_link", emailAddress: email });
  if (email && password) {
    factors.push({ strategy: "reset_password_email_code", emailAddress: email });
  }
  return factors;
}

function factorOf<S extends FirstFactor["strategy"]>(
  ctx: Ctx,
  signIn: SignInRecord,
  strategy: S,
): Extract<FirstFactor, { strategy: S }> {
  const user = userOf(ctx, signIn);
  const factor = firstFactorsOf(ctx.core, user, signIn).find((f) => f.strategy === strategy);
  if (!factor) throw errors.strategyForUserInvalid();
  return factor as Extract<FirstFactor, { strategy: S }>;
}

function touch(ctx: Ctx, signIn: SignInRecord) {
  signIn.updatedAt = ctx.core.now();
  ctx.core.store.save();
}

// Who an identifier names, among the identifiers this instance signs people in with: a verified
// email address, or a username.
function identifiedUser(core: Core, identifier: string): UserRecord | undefined {
  const ids = offeredSettings(core).identifiers;
  if (identifier.includes("@")) {
    return ids.email_address.sign_in
      ? findUserByEmail(core, identifier, { verifiedOnly: true })
      : undefined;
  }
  return ids.username.sign_in ? findUserByUsername(core, identifier) : undefined;
}

export function getSignIn(ctx: Ctx, client: ClientRecord, id: string): SignInRecord {
  const signIn = ctx.core.store.state.signIns[id];
  if (!signIn || signIn.clientId !== client.id) throw errors.notFound("sign in");
  return signIn;
}

// Creating a sign-in may finish it at once (identifier + password) or start a first factor.
export async function startSignIn(
  ctx: Ctx,
  client: ClientRecord,
  input: {
    identifier?: string | undefined;
    password?: string | undefined;
    strategy?: string | undefined;
    ticket?: string | undefined;
    // `strategy: "oauth_<provider>"`: where the OAuth callback sends the browser, and the
    // Frontend API's address as the browser sees it.
    redirect?: OAuthRedirect | undefined;
    // Continue the client's sign-up whose social account already has a user.
    transfer?: boolean | undefined;
  },
): Promise<SignInRecord> {
  const { core } = ctx;
  // The instance is single-session: one signed-in session per browser, as the app's UI assumes.
  if (activeSessionsOf(core, client).length > 0) throw errors.sessionExists();
  const now = core.now();
  const signIn: SignInRecord = {
    id: newId("sia"),
    clientId: client.id,
    status: "needs_identifier",
    identifier: null,
    userId: null,
    firstFactorVerification: null,
    invitationId: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
    abandonAt: now + SIGN_IN_LIFETIME_MS,
  };
  if (input.strategy === "ticket") return ticketSignIn(ctx, client, signIn, input.ticket);
  if (input.transfer) return transferFromSignUp(ctx, client, signIn);
  const provider = input.strategy ? providerOfStrategy(input.strategy) : null;
  if (provider) {
    if (!offeredSettings(core).social_connections[provider]) {
      throw errors.paramInvalid("strategy", "is not a social connection of this instance");
    }
    if (!input.redirect) throw errors.paramMissing("redirect_url");
    signIn.firstFactorVerification = startOAuthFlow(ctx, {
      provider,
      purpose: "sign_in",
      targetId: signIn.id,
      clientId: client.id,
      ...input.redirect,
    });
    core.store.put("signIns", signIn);
    client.signInId = signIn.id;
    return signIn;
  }
  if (input.identifier) {
    const user = identifiedUser(core, input.identifier);
    if (!user) throw errors.identifierNotFound();
    signIn.identifier = input.identifier.trim().toLowerCase();
    signIn.userId = user.id;
    signIn.status = "needs_first_factor";
  }
  core.store.put("signIns", signIn);
  client.signInId = signIn.id;
  if (signIn.userId && input.password !== undefined) {
    return attemptFirstFactor(ctx, client, signIn, {
      strategy: "password",
      password: input.password,
    });
  }
  // `signIn.create({ strategy, identifier })` sends the code (or link) at once, as preparing does.
  if (
    signIn.userId &&
    input.strategy &&
    (isCodeFactor(input.strategy) || input.strategy === "email_link")
  ) {
    return prepareFirstFactor(ctx, signIn, input.strategy, input.redirect);
  }
  touch(ctx, signIn);
  return signIn;
}

// `redirect`: an email link's, where the browser goes once the link is opened.
export function prepareFirstFactor(
  ctx: Ctx,
  signIn: SignInRecord,
  strategy: string,
  redirect?: LinkRedirect,
): SignInRecord {
  if (signIn.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  if (strategy === "email_link") {
    const { emailAddress } = factorOf(ctx, signIn, "email_link");
    if (!redirect) throw errors.paramMissing("redirect_url");
    signIn.firstFactorVerification = sendEmailLink(ctx, {
      purpose: "sign_in",
      targetId: signIn.id,
      to: emailAddress,
      subject: "Your sign-in link",
      ...redirect,
    });
    touch(ctx, signIn);
    return signIn;
  }
  if (!isCodeFactor(strategy)) {
    throw errors.paramInvalid(
      "strategy",
      "must be email_code, email_link or reset_password_email_code (the factors that need preparing)",
    );
  }
  const { emailAddress } = factorOf(ctx, signIn, strategy);
  signIn.firstFactorVerification = sendEmailCode(
    ctx,
    emailAddress,
    CODE_FACTORS[strategy],
    strategy,
  );
  touch(ctx, signIn);
  return signIn;
}

export async function attemptFirstFactor(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  attempt: FirstFactorAttempt,
): Promise<SignInRecord> {
  if (signIn.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  const user = userOf(ctx, signIn);
  factorOf(ctx, signIn, attempt.strategy);
  // Checked before the code is, so a bad password does not use the code up.
  const newPasswordHash =
    attempt.strategy === "reset_password_email_code" && attempt.password !== undefined
      ? await hashNewPassword(attempt.password)
      : null;
  if (attempt.strategy === "password") {
    const ok =
      user.passwordHash !== null && (await verifyPassword(attempt.password, user.passwordHash));
    if (!ok) throw errors.passwordIncorrect();
    signIn.firstFactorVerification = {
      strategy: "password",
      status: "verified",
      emailAddressId: null,
      codeHash: null,
      attempts: 1,
      expireAt: null,
    };
  } else {
    const verification = signIn.firstFactorVerification;
    if (verification?.strategy !== attempt.strategy) {
      throw errors.paramInvalid("strategy", `${attempt.strategy} must be prepared first`);
    }
    const result = checkEmailCode(verification, attempt.code, ctx.core.now());
    if (result !== "verified") {
      touch(ctx, signIn);
      if (result === "incorrect") throw errors.codeIncorrect();
      if (result === "expired") throw errors.verificationExpired();
      throw errors.verificationFailed();
    }
    // A reset code proves the address; the sign-in completes once a new password is set.
    if (attempt.strategy === "reset_password_email_code") {
      if (newPasswordHash === null) {
        signIn.status = "needs_new_password";
        touch(ctx, signIn);
        return signIn;
      }
      setPassword(ctx, user.id, { passwordHash: newPasswordHash, signOutOfOtherSessions: false });
    }
  }
  return completeSignIn(ctx, client, signIn);
}

// Its emailed link was opened: a pending email-link verification completes the sign-in (in the
// browser that asked for the link, which learns it by polling). Answers what the link's page is
// told: its status and the session it created.
export function verifySignInByLink(ctx: Ctx, signIn: SignInRecord): LinkOutcome {
  const v = signIn.firstFactorVerification;
  if (v?.strategy !== "email_link") return { status: "failed" };
  if (v.status === "verified") return { status: "verified", sessionId: signIn.createdSessionId };
  if (v.status !== "unverified" || signIn.status !== "needs_first_factor") {
    return { status: "failed" };
  }
  if (v.expireAt !== null && v.expireAt <= ctx.core.now()) {
    v.status = "expired";
    touch(ctx, signIn);
    return { status: "expired" };
  }
  const client = ctx.core.store.state.clients[signIn.clientId];
  if (!client) return { status: "failed" };
  v.status = "verified";
  v.attempts += 1;
  const done = completeSignIn(ctx, client, signIn);
  return { status: "verified", sessionId: done.createdSessionId };
}

// "Forgot password?", last step: the new password, then the user is signed in; when asked (as
// <SignIn/> does by default), their other sessions are revoked.
export async function resetPassword(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  input: { password: string; signOutOfOtherSessions: boolean },
): Promise<SignInRecord> {
  // Hash before checking the state: nothing may await between the check and the change.
  const passwordHash = await hashNewPassword(input.password);
  if (signIn.status !== "needs_new_password") {
    throw errors.paramInvalid("password", "can be reset only after the emailed reset code", 400);
  }
  setPassword(ctx, userOf(ctx, signIn).id, {
    passwordHash,
    signOutOfOtherSessions: input.signOutOfOtherSessions && { keep: null },
  });
  return completeSignIn(ctx, client, signIn);
}

// An organization invitation's ticket signs its invitee in: the invited address is theirs.
async function ticketSignIn(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  ticket: string | undefined,
): Promise<SignInRecord> {
  if (!ticket) throw errors.paramMissing("ticket");
  const inv = await invitationForTicket(ctx.core, ticket);
  const user = findUserByEmail(ctx.core, inv.emailAddress);
  if (!user) throw errors.invitationAccountMissing();
  Object.assign(signIn, {
    identifier: inv.emailAddress,
    userId: user.id,
    invitationId: inv.id,
    firstFactorVerification: {
      strategy: "ticket",
      status: "verified",
      emailAddressId: null,
      codeHash: null,
      attempts: 1,
      expireAt: null,
    },
  });
  ctx.core.store.put("signIns", signIn);
  client.signInId = signIn.id;
  return completeSignIn(ctx, client, signIn);
}

// The OAuth flow of this sign-in came back with a provider account: the user it belongs to is
// signed in (the account linked to them if it was not yet); one whose address the provider does
// not vouch for first proves it with an emailed code; nobody's, and the sign-in is
// "transferable": the client turns it into a sign-up (`transfer`).
export function signInWithIdentity(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  identity: ProviderIdentity,
): SignInRecord {
  const owner = ownerOfIdentity(ctx.core, identity);
  signIn.identifier = identity.emailAddress;
  signIn.identity = identity;
  const oauth: VerificationRecord = signIn.firstFactorVerification ?? {
    strategy: `oauth_${identity.provider}`,
    status: "unverified",
    emailAddressId: null,
    codeHash: null,
    attempts: 0,
    expireAt: null,
  };
  if (!owner) {
    signIn.firstFactorVerification = {
      ...oauth,
      status: "transferable",
      externalRedirectUrl: undefined,
      error: {
        code: "external_account_not_found",
        message: "Invalid external account",
        longMessage: "The External Account was not found.",
      },
    };
    touch(ctx, signIn);
    return signIn;
  }
  signIn.userId = owner.user.id;
  if (owner.by === "unverified_email") {
    signIn.status = "needs_first_factor";
    signIn.firstFactorVerification = null;
    touch(ctx, signIn);
    return signIn;
  }
  signIn.firstFactorVerification = { ...oauth, status: "verified", externalRedirectUrl: undefined };
  return completeSignIn(ctx, client, signIn);
}

// `signIn.create({ transfer: true })`: the client's sign-up came back from its provider with an
// account that has a user; sign that user in instead.
function transferFromSignUp(ctx: Ctx, client: ClientRecord, signIn: SignInRecord) {
  const signUp = client.signUpId ? ctx.core.store.state.signUps[client.signUpId] : undefined;
  if (signUp?.externalAccountVerification?.status !== "transferable" || !signUp.identity) {
    throw errors.paramInvalid("transfer", "needs a sign-up whose social account has a user");
  }
  ctx.core.store.put("signIns", signIn);
  client.signInId = signIn.id;
  client.signUpId = null;
  const done = signInWithIdentity(ctx, client, signIn, signUp.identity);
  if (done.firstFactorVerification?.status === "transferable") {
    throw errors.paramInvalid("transfer", "needs a sign-up whose social account has a user");
  }
  return done;
}

// With an invitation's ticket, completing joins the invitee to its organization and makes that
// organization the session's active one.
function completeSignIn(ctx: Ctx, client: ClientRecord, signIn: SignInRecord): SignInRecord {
  const user = userOf(ctx, signIn);
  const inv = signIn.invitationId
    ? ctx.core.store.state.invitations[signIn.invitationId]
    : undefined;
  if (inv) {
    assertTicketUsable(ctx.core, inv);
    acceptInvitation(ctx, inv, user.id);
  }
  if (signIn.identity) linkIdentity(ctx, user, signIn.identity);
  const session = createSession(ctx, user.id, {
    clientId: client.id,
    organizationId: inv?.organizationId,
  });
  signIn.status = "complete";
  signIn.createdSessionId = session.id;
  client.signInId = null;
  touch(ctx, signIn);
  return signIn;
}
