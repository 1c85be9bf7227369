import type { Core, Ctx } from "../core";
import { verifyPassword } from "../crypto/password";
import { errors } from "../http/clerk-errors";
import { publicUserDataJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import type {
  ClientRecord,
  EmailAddressRecord,
  PhoneNumberRecord,
  ProviderIdentity,
  SignInRecord,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { readTicket, type TicketSource } from "../tokens/ticket";
import { acceptActorToken, actorTokenForTicket } from "./actor-tokens";
import { activeSessionsOf } from "./dev-browsers";
import { deviceTrustContact, isKnownDevice } from "./device-trust";
import { stripPhoneFormatting } from "./e164";
import { checkCode, sendEmailCode } from "./email-codes";
import { type LinkOutcome, sendEmailLink } from "./email-links";
import { linkIdentity, ownerOfIdentity, startOAuthFlow } from "./external-accounts";
import { offeredSettings } from "./instance-settings";
import { acceptInvitation, assertTicketUsable, invitationForTicket } from "./invitations";
import { registeredPasskeys, secondFactorPhoneNumbers, twoFactorEnabled } from "./mfa-status";
import { passkeyRequestOptions, verifyPasskeyAssertion } from "./passkeys";
import { setPassword } from "./passwords";
import { findUserByPhoneNumber } from "./phone-numbers";
import { checkSecondFactorCode } from "./second-factors";
import { createSession, endSession } from "./sessions";
import { acceptSignInToken, signInTokenForTicket } from "./sign-in-tokens";
import { sendSmsCode } from "./sms-codes";
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
  | { strategy: "email_code" | "phone_code"; code: string }
  // With the new password, the reset completes at once (the legacy forgot-password flow); without,
  // the sign-in waits for it (reset_password).
  | { strategy: "reset_password_email_code"; code: string; password?: string | undefined }
  | { strategy: "passkey"; publicKeyCredential: string };

export type SecondFactorAttempt = {
  strategy: "totp" | "backup_code" | "phone_code" | "email_code";
  code: string;
};

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
  | { strategy: "password" | "passkey" }
  | { strategy: keyof typeof CODE_FACTORS | "email_link"; emailAddress: EmailAddressRecord }
  | { strategy: "phone_code"; phoneNumber: PhoneNumberRecord };

// What the identified user can sign in with on this instance: a passkey they registered; their
// password, if they have one and the instance takes passwords; a code or a link sent to their
// primary address; a code texted to each of their verified numbers (primary first); and, with a
// password, a password-reset code to their address (what makes <SignIn/>'s "Forgot password?"
// offer a reset).
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
  const factors: FirstFactor[] = [];
  if (offered.passkey && registeredPasskeys(user).length > 0) factors.push({ strategy: "passkey" });
  if (password) factors.push({ strategy: "password" });
  if (email && offered.email_code) factors.push({ strategy: "email_code", emailAddress: email });
  if (email && offered.email_link) factors.push({ strategy: "email_link", emailAddress: email });
  if (offered.phone_code) {
    const isPrimary = (p: PhoneNumberRecord) => Number(p.id === user.primaryPhoneNumberId);
    for (const phoneNumber of user.phoneNumbers
      .filter((p) => p.verified)
      .sort((a, b) => isPrimary(b) - isPrimary(a))) {
      factors.push({ strategy: "phone_code", phoneNumber });
    }
  }
  if (email && password) {
    factors.push({ strategy: "reset_password_email_code", emailAddress: email });
  }
  return factors;
}

// The factor of that strategy (for `phone_code`, to the number named, else the first) the user
// has, or Clerk's strategy_for_user_invalid.
function factorOf<S extends FirstFactor["strategy"]>(
  ctx: Ctx,
  signIn: SignInRecord,
  strategy: S,
  phoneNumberId?: string,
): Extract<FirstFactor, { strategy: S }> {
  const user = userOf(ctx, signIn);
  const factor = firstFactorsOf(ctx.core, user, signIn).find(
    (f) =>
      f.strategy === strategy &&
      (phoneNumberId === undefined || !("phoneNumber" in f) || f.phoneNumber.id === phoneNumberId),
  );
  if (!factor) throw errors.strategyForUserInvalid();
  return factor as Extract<FirstFactor, { strategy: S }>;
}

function primaryEmail(user: UserRecord) {
  const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
  if (!email) throw errors.paramInvalid("strategy", "needs an email address on the account");
  return email;
}

// The verified number a Device Trust code goes to: the one named, else the primary one.
function verifiedPhone(user: UserRecord, phoneNumberId: string | undefined) {
  const phone = user.phoneNumbers.find(
    (p) =>
      p.verified && (phoneNumberId ? p.id === phoneNumberId : p.id === user.primaryPhoneNumberId),
  );
  if (!phone)
    throw errors.paramInvalid("phone_number_id", "is not a verified number of this account");
  return phone;
}

const verified = (strategy: VerificationRecord["strategy"]): VerificationRecord => ({
  strategy,
  status: "verified",
  emailAddressId: null,
  codeHash: null,
  attempts: 1,
  expireAt: null,
});

// A passkey step: the options for the browser's navigator.credentials.get() (as `nonce`), for any
// passkey of the instance (no user yet: the discoverable and autofill flows) or the user's own.
async function passkeyVerification(ctx: Ctx, user?: UserRecord): Promise<VerificationRecord> {
  return {
    strategy: "passkey",
    status: "unverified",
    emailAddressId: null,
    codeHash: null,
    attempts: 0,
    expireAt: ctx.core.now() + ctx.core.config.codeTtlSeconds * 1000,
    nonce: await passkeyRequestOptions(ctx.core, user),
  };
}

function touch(ctx: Ctx, signIn: SignInRecord) {
  signIn.updatedAt = ctx.core.now();
  ctx.core.store.save();
}

export function getSignIn(ctx: Ctx, client: ClientRecord, id: string): SignInRecord {
  const signIn = ctx.core.store.state.signIns[id];
  if (!signIn || signIn.clientId !== client.id) throw errors.notFound("sign in");
  return signIn;
}

// Who an identifier names, among the identifiers the instance signs people in with: an email
// address, a phone number (E.164, formatting ignored; only verified ones count), or a username.
export function findUserByIdentifier(ctx: Ctx, identifier: string): UserRecord | undefined {
  const { identifiers } = offeredSettings(ctx.core);
  if (identifier.includes("@")) {
    return identifiers.email_address.sign_in
      ? findUserByEmail(ctx.core, identifier, { verifiedOnly: true })
      : undefined;
  }
  if (identifiers.phone_number.sign_in && /^\+\d/.test(stripPhoneFormatting(identifier))) {
    return findUserByPhoneNumber(ctx.core, identifier, { verifiedOnly: true });
  }
  return identifiers.username.sign_in ? findUserByUsername(ctx.core, identifier) : undefined;
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
  const ticket = input.strategy === "ticket" && input.ticket ? input.ticket : undefined;
  const source = ticket ? await readTicket(core, ticket) : undefined;
  // The instance is single-session: one signed-in session per browser, as the app's UI assumes. An
  // actor token's sign-in takes the browser over (the impersonator is usually the one signed in).
  if (source?.type !== "actor_token" && activeSessionsOf(core, client).length > 0) {
    throw errors.sessionExists();
  }
  const now = core.now();
  const signIn: SignInRecord = {
    id: newId("sia"),
    clientId: client.id,
    status: "needs_identifier",
    identifier: null,
    userId: null,
    firstFactorVerification: null,
    secondFactorVerification: null,
    invitationId: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
    abandonAt: now + SIGN_IN_LIFETIME_MS,
  };
  if (input.strategy === "ticket") {
    if (!source) throw errors.paramMissing("ticket");
    return ticketSignIn(ctx, client, signIn, source);
  }
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
  // A passkey sign-in with no identifier: the browser offers whichever passkey it holds for the app.
  if (input.strategy === "passkey" && !input.identifier) {
    signIn.status = "needs_first_factor";
    signIn.firstFactorVerification = await passkeyVerification(ctx);
  }
  if (input.identifier) {
    const user = findUserByIdentifier(ctx, input.identifier);
    if (!user) throw errors.identifierNotFound();
    signIn.identifier = /^\+\d/.test(stripPhoneFormatting(input.identifier))
      ? stripPhoneFormatting(input.identifier)
      : input.identifier.trim().toLowerCase();
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
    (isCodeFactor(input.strategy) ||
      input.strategy === "email_link" ||
      input.strategy === "phone_code")
  ) {
    return prepareFirstFactor(ctx, signIn, { strategy: input.strategy, redirect: input.redirect });
  }
  touch(ctx, signIn);
  return signIn;
}

// `redirect`: an email link's, where the browser goes once the link is opened; `phoneNumberId`:
// the number an SMS code goes to.
export async function prepareFirstFactor(
  ctx: Ctx,
  signIn: SignInRecord,
  input: { strategy: string; phoneNumberId?: string | undefined; redirect?: LinkRedirect },
): Promise<SignInRecord> {
  if (signIn.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  const { strategy, redirect } = input;
  if (strategy === "passkey") {
    factorOf(ctx, signIn, "passkey");
    const verification = await passkeyVerification(ctx, userOf(ctx, signIn));
    if (signIn.status !== "needs_first_factor")
      throw errors.paramInvalid("strategy", "is not needed now");
    signIn.firstFactorVerification = verification;
  } else if (strategy === "phone_code") {
    const { phoneNumber } = factorOf(ctx, signIn, "phone_code", input.phoneNumberId);
    signIn.firstFactorVerification = sendSmsCode(ctx, phoneNumber, "sign-in");
  } else if (strategy === "email_link") {
    const { emailAddress } = factorOf(ctx, signIn, "email_link");
    if (!redirect) throw errors.paramMissing("redirect_url");
    signIn.firstFactorVerification = sendEmailLink(ctx, {
      purpose: "sign_in",
      targetId: signIn.id,
      to: emailAddress,
      subject: "Your sign-in link",
      ...redirect,
    });
  } else if (isCodeFactor(strategy)) {
    const { emailAddress } = factorOf(ctx, signIn, strategy);
    signIn.firstFactorVerification = sendEmailCode(
      ctx,
      emailAddress,
      CODE_FACTORS[strategy],
      strategy,
    );
  } else {
    throw errors.paramInvalid(
      "strategy",
      "must be email_code, email_link, phone_code, passkey or reset_password_email_code (the factors that need preparing)",
    );
  }
  touch(ctx, signIn);
  return signIn;
}

// A code that was sent for this sign-in's current step, checked (and the attempt counted).
function checkSentCode(
  ctx: Ctx,
  signIn: SignInRecord,
  v: VerificationRecord | null,
  attempt: { strategy: string; code: string },
) {
  if (v?.strategy !== attempt.strategy) {
    throw errors.paramInvalid("strategy", `${attempt.strategy} must be prepared first`);
  }
  const result = checkCode(v, attempt.code, ctx.core.now());
  if (result === "verified") return;
  touch(ctx, signIn);
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  throw errors.verificationFailed();
}

export async function attemptFirstFactor(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  attempt: FirstFactorAttempt,
): Promise<SignInRecord> {
  if (signIn.status !== "needs_first_factor")
    throw errors.paramInvalid("strategy", "is not needed now");
  if (attempt.strategy === "passkey") {
    return passkeyAttempt(ctx, client, signIn, attempt.publicKeyCredential);
  }
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
    signIn.firstFactorVerification = verified("password");
  } else {
    checkSentCode(ctx, signIn, signIn.firstFactorVerification, attempt);
    // A reset code proves the address; the sign-in goes on once a new password is set.
    if (attempt.strategy === "reset_password_email_code") {
      if (newPasswordHash === null) {
        signIn.status = "needs_new_password";
        touch(ctx, signIn);
        return signIn;
      }
      setPassword(ctx, user.id, { passwordHash: newPasswordHash, signOutOfOtherSessions: false });
    }
  }
  return afterFirstFactor(ctx, client, signIn);
}

// The browser's passkey assertion, against the options this sign-in gave it. Without an identifier
// (discoverable), the passkey names the user. A passkey is both factors at once (Clerk's
// `satisfies_second_factor`), and not a password: Device Trust does not apply.
async function passkeyAttempt(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  publicKeyCredential: string,
): Promise<SignInRecord> {
  const v = signIn.firstFactorVerification;
  if (v?.strategy !== "passkey" || !v.nonce) {
    throw errors.paramInvalid("strategy", "passkey must be prepared first");
  }
  if (v.expireAt !== null && v.expireAt <= ctx.core.now()) throw errors.verificationExpired();
  const user = await verifyPasskeyAssertion(
    ctx,
    v.nonce,
    publicKeyCredential,
    signIn.userId ?? undefined,
  );
  if (signIn.status !== "needs_first_factor" || signIn.firstFactorVerification !== v) {
    throw errors.paramInvalid("strategy", "is not needed now");
  }
  v.status = "verified";
  v.attempts += 1;
  if (signIn.userId === null) {
    signIn.userId = user.id;
    signIn.identifier =
      user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId)?.emailAddress ?? null;
  }
  return completeSignIn(ctx, client, signIn, { secondFactorVerified: false });
}

// What a verified first factor leads to: the user's second factor if they have one; for a password
// on a browser they never had a session on, Device Trust's emailed (or texted) code, where the user
// has an address or number to receive it; else the session.
function afterFirstFactor(ctx: Ctx, client: ClientRecord, signIn: SignInRecord): SignInRecord {
  const user = userOf(ctx, signIn);
  if (twoFactorEnabled(user)) {
    signIn.status = "needs_second_factor";
  } else if (
    signIn.firstFactorVerification?.strategy === "password" &&
    offeredSettings(ctx.core).requirements.device_trust &&
    !isKnownDevice(ctx.core, client, user.id) &&
    deviceTrustContact(user) !== null
  ) {
    signIn.status = "needs_client_trust";
  } else {
    return completeSignIn(ctx, client, signIn, { secondFactorVerified: false });
  }
  touch(ctx, signIn);
  return signIn;
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
  // A user with two-step verification goes on to it in the tab that asked for the link.
  const done = afterFirstFactor(ctx, client, signIn);
  return { status: "verified", sessionId: done.createdSessionId };
}

// "Forgot password?", last step: the new password, then the user is signed in (after their second
// factor, if they have one); when asked (as <SignIn/> does by default), their other sessions are
// revoked.
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
  return afterFirstFactor(ctx, client, signIn);
}

// The second step's code goes out: an SMS to one of the user's second-factor numbers, or, for
// Device Trust, an email to their primary address (or an SMS to their primary number).
export function prepareSecondFactor(
  ctx: Ctx,
  signIn: SignInRecord,
  input: {
    strategy: string;
    phoneNumberId?: string | undefined;
    emailAddressId?: string | undefined;
  },
): SignInRecord {
  const user = userOf(ctx, signIn);
  if (signIn.status === "needs_second_factor" && input.strategy === "phone_code") {
    const phone = secondFactorPhoneNumbers(user).find(
      (p) => input.phoneNumberId === undefined || p.id === input.phoneNumberId,
    );
    if (!phone)
      throw errors.paramInvalid("phone_number_id", "is not a second factor of this account");
    signIn.secondFactorVerification = sendSmsCode(ctx, phone, "two-step verification");
  } else if (signIn.status === "needs_client_trust" && input.strategy === "email_code") {
    const email = primaryEmail(user);
    if (input.emailAddressId !== undefined && input.emailAddressId !== email.id) {
      throw errors.paramInvalid("email_address_id", "is not this account's primary address");
    }
    signIn.secondFactorVerification = sendEmailCode(ctx, email, "new device verification");
  } else if (signIn.status === "needs_client_trust" && input.strategy === "phone_code") {
    signIn.secondFactorVerification = sendSmsCode(
      ctx,
      verifiedPhone(user, input.phoneNumberId),
      "new device verification",
    );
  } else {
    throw errors.paramInvalid("strategy", "is not a second factor to prepare now");
  }
  touch(ctx, signIn);
  return signIn;
}

export function attemptSecondFactor(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  attempt: SecondFactorAttempt,
): SignInRecord {
  const user = userOf(ctx, signIn);
  if (signIn.status === "needs_second_factor") {
    if (attempt.strategy === "phone_code") {
      checkSentCode(ctx, signIn, signIn.secondFactorVerification, attempt);
    } else if (attempt.strategy === "totp" || attempt.strategy === "backup_code") {
      const { strategy, code } = attempt;
      if (!checkSecondFactorCode(ctx.core, user, { strategy, code })) {
        touch(ctx, signIn);
        throw errors.codeIncorrect();
      }
      signIn.secondFactorVerification = verified(strategy);
    } else {
      throw errors.paramInvalid("strategy", "is not a second factor of this account");
    }
    return completeSignIn(ctx, client, signIn, { secondFactorVerified: true });
  }
  if (signIn.status === "needs_client_trust") {
    if (attempt.strategy !== "email_code" && attempt.strategy !== "phone_code") {
      throw errors.paramInvalid("strategy", "must be the emailed or texted code");
    }
    checkSentCode(ctx, signIn, signIn.secondFactorVerification, attempt);
    return completeSignIn(ctx, client, signIn, { secondFactorVerified: false });
  }
  throw errors.paramInvalid("strategy", "is not needed now");
}

// A ticket signs in: an organization invitation's its invitee (the invited address is theirs), a
// sign-in token's its user, an actor token's its actor as its user.
function ticketSignIn(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  source: TicketSource,
): SignInRecord {
  if (source.type === "sign_in_token") return signInTokenSignIn(ctx, client, signIn, source);
  if (source.type === "actor_token") return actorTokenSignIn(ctx, client, signIn, source);
  const inv = invitationForTicket(ctx.core, source);
  const user = findUserByEmail(ctx.core, inv.emailAddress);
  if (!user) throw errors.invitationAccountMissing();
  Object.assign(signIn, {
    identifier: inv.emailAddress,
    userId: user.id,
    invitationId: inv.id,
    firstFactorVerification: verified("ticket"),
  });
  ctx.core.store.put("signIns", signIn);
  client.signInId = signIn.id;
  return completeSignIn(ctx, client, signIn, { secondFactorVerified: false });
}

// A sign-in token is spent as its ticket verifies the first factor. It is not a password, so Device
// Trust does not apply; a user with two-step verification still goes on to it.
function signInTokenSignIn(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  source: Extract<TicketSource, { type: "sign_in_token" }>,
): SignInRecord {
  const token = signInTokenForTicket(ctx.core, source);
  const user = ctx.core.store.state.users[token.userId];
  if (!user) throw errors.ticketInvalid();
  verifiedByToken(ctx, client, signIn, user, { signInTokenId: token.id });
  acceptSignInToken(ctx.core, token);
  return afterFirstFactor(ctx, client, signIn);
}

// An actor token signs its actor in as the user at once: no factor of the user's is asked for (the
// actor has none of them), and the browser's own sessions end first, as the single session it has
// room for becomes the impersonation.
function actorTokenSignIn(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  source: Extract<TicketSource, { type: "actor_token" }>,
): SignInRecord {
  const token = actorTokenForTicket(ctx.core, source);
  const user = ctx.core.store.state.users[token.userId];
  if (!user) throw errors.actorTokenSubjectNotFound();
  for (const session of activeSessionsOf(ctx.core, client)) endSession(ctx, session, "ended");
  verifiedByToken(ctx, client, signIn, user, { actorTokenId: token.id });
  acceptActorToken(ctx.core, token);
  return completeSignIn(ctx, client, signIn, { secondFactorVerified: false });
}

// The client's sign-in of a token's user, its first factor verified by the token's ticket.
function verifiedByToken(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  user: UserRecord,
  token: Pick<SignInRecord, "signInTokenId" | "actorTokenId">,
): void {
  Object.assign(signIn, {
    // Nothing was typed: the user's address, else number, else username, as Clerk names them.
    identifier: publicUserDataJSON(user).identifier || null,
    userId: user.id,
    ...token,
    firstFactorVerification: verified("ticket"),
  });
  ctx.core.store.put("signIns", signIn);
  client.signInId = signIn.id;
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
  // A user with two-step verification goes on to it; Device Trust guards passwords only.
  return afterFirstFactor(ctx, client, signIn);
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
// organization the session's active one; a sign-in token's organization is made active too.
function completeSignIn(
  ctx: Ctx,
  client: ClientRecord,
  signIn: SignInRecord,
  options: { secondFactorVerified: boolean },
): SignInRecord {
  const user = userOf(ctx, signIn);
  const inv = signIn.invitationId
    ? ctx.core.store.state.invitations[signIn.invitationId]
    : undefined;
  if (inv) {
    assertTicketUsable(ctx.core, inv);
    acceptInvitation(ctx, inv, user.id);
  }
  const token = signIn.signInTokenId
    ? ctx.core.store.state.signInTokens[signIn.signInTokenId]
    : undefined;
  if (signIn.identity) linkIdentity(ctx, user, signIn.identity);
  const session = createSession(ctx, user.id, {
    clientId: client.id,
    organizationId: inv?.organizationId ?? token?.organizationId,
    secondFactorVerified: options.secondFactorVerified,
    impersonation: signIn.actorTokenId
      ? ctx.core.store.state.actorTokens[signIn.actorTokenId]
      : undefined,
  });
  signIn.status = "complete";
  signIn.createdSessionId = session.id;
  client.signInId = null;
  rememberStrategy(client, signIn.firstFactorVerification?.strategy);
  touch(ctx, signIn);
  return signIn;
}

// What <SignIn/> offers this browser next as "Last used": how the person proved who they are, not
// a ticket someone else gave them (an invitation, a sign-in or actor token).
export function rememberStrategy(client: ClientRecord, strategy: string | undefined): void {
  if (strategy && strategy !== "ticket") client.lastAuthenticationStrategy = strategy;
}
