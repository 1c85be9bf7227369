import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { ClientRecord, ProviderIdentity, SignUpRecord } from "../store/records";
import { readTicket } from "../tokens/ticket";
import { activeSessionsOf } from "./dev-browsers";
import { normalizedPhoneNumber } from "./e164";
import { normalizedEmailAddress } from "./email-addresses";
import { checkCode, sendEmailCode } from "./email-codes";
import { type LinkOutcome, sendEmailLink } from "./email-links";
import {
  failVerification,
  newExternalAccount,
  ownerOfIdentity,
  startOAuthFlow,
} from "./external-accounts";
import { offeredSettings } from "./instance-settings";
import { acceptInvitation, assertTicketUsable, invitationForTicket } from "./invitations";
import { createSession } from "./sessions";
import { type LinkRedirect, type OAuthRedirect, rememberStrategy } from "./sign-ins";
import { sendSmsCode } from "./sms-codes";
import { providerOfStrategy } from "./social-providers";
import {
  assertUnique,
  createUser,
  findUserByEmail,
  findUserByUsername,
  normalizedUsername,
  passwordHashFor,
} from "./users";

const SIGN_UP_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type SignUpFields = {
  emailAddress?: string | undefined;
  phoneNumber?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  // The person ticked "I agree to the Terms of Service and Privacy Policy".
  legalAccepted?: boolean | undefined;
  // `strategy: "ticket"`: an organization invitation's ticket (the link's `__clerk_ticket`).
  ticket?: string | undefined;
  // `strategy: "oauth_<provider>"`, and where its callback sends the browser.
  strategy?: string | undefined;
  redirect?: OAuthRedirect | undefined;
  // Continue the client's sign-in whose social account has no user yet.
  transfer?: boolean | undefined;
};

export function getSignUp(ctx: Ctx, client: ClientRecord, id: string): SignUpRecord {
  const signUp = ctx.core.store.state.signUps[id];
  if (!signUp || signUp.clientId !== client.id) throw errors.notFound("sign up");
  return signUp;
}

// A ticket stands for the invited address, verified: the invitee need not prove it again. A
// sign-in token's or an actor token's ticket has a user already, so it is for signing in only.
async function applyTicket(ctx: Ctx, signUp: SignUpRecord, ticket: string) {
  const source = await readTicket(ctx.core, ticket);
  if (source.type === "sign_in_token") throw errors.signInTokenNotInSignIn();
  if (source.type === "actor_token") throw errors.actorTokenNotInSignIn();
  const inv = invitationForTicket(ctx.core, source);
  if (signUp.invitationId === inv.id) return;
  if (findUserByEmail(ctx.core, inv.emailAddress)) throw errors.invitationAccountExists();
  signUp.emailAddress = inv.emailAddress;
  signUp.emailVerification = {
    strategy: "ticket",
    status: "verified",
    emailAddressId: null,
    codeHash: null,
    attempts: 1,
    expireAt: null,
  };
  signUp.invitationId = inv.id;
}

// What this instance asks of a sign-up: the required identifiers, first and last name if they are
// required, consent to the legal documents if the instance asks for it and, if passwords are on, a
// password; what else is enabled is optional.
export function signUpFields(core: Core) {
  const s = offeredSettings(core);
  const ids = s.identifiers;
  const names = s.personal_information.first_and_last_name;
  const required = [
    ...(ids.email_address.required ? ["email_address"] : []),
    ...(ids.phone_number.required ? ["phone_number"] : []),
    ...(ids.username.required ? ["username"] : []),
    ...(names.required ? ["first_name", "last_name"] : []),
    ...(s.requirements.legal_consent ? ["legal_accepted"] : []),
    ...(s.first_factors.password ? ["password"] : []),
  ];
  const optional = [
    ...(ids.email_address.enabled && !ids.email_address.required ? ["email_address"] : []),
    ...(ids.phone_number.enabled && !ids.phone_number.required ? ["phone_number"] : []),
    ...(ids.username.enabled && !ids.username.required ? ["username"] : []),
    ...(names.enabled && !names.required ? ["first_name", "last_name"] : []),
  ];
  return { required, optional };
}

async function applyFields(ctx: Ctx, signUp: SignUpRecord, fields: SignUpFields) {
  const offered = offeredSettings(ctx.core);
  if (fields.emailAddress !== undefined && !offered.identifiers.email_address.enabled) {
    throw errors.paramUnknown("email_address");
  }
  if (fields.password !== undefined && !offered.first_factors.password) {
    throw errors.paramUnknown("password");
  }
  if (fields.phoneNumber !== undefined && !offered.identifiers.phone_number.enabled) {
    throw errors.paramUnknown("phone_number");
  }
  if (fields.username !== undefined && !offered.identifiers.username.enabled) {
    throw errors.paramUnknown("username");
  }
  if (!offered.personal_information.first_and_last_name.enabled) {
    if (fields.firstName !== undefined) throw errors.paramUnknown("first_name");
    if (fields.lastName !== undefined) throw errors.paramUnknown("last_name");
  }
  if (fields.ticket !== undefined) await applyTicket(ctx, signUp, fields.ticket);
  const provider = fields.strategy ? providerOfStrategy(fields.strategy) : null;
  if (fields.strategy && fields.strategy !== "ticket" && !provider) {
    throw errors.paramInvalid("strategy", "is not a sign-up strategy of this instance");
  }
  if (provider && !offered.social_connections[provider]) {
    throw errors.paramInvalid("strategy", "is not a social connection of this instance");
  }
  if (provider && !fields.redirect) throw errors.paramMissing("redirect_url");
  if (fields.emailAddress !== undefined) {
    const email = normalizedEmailAddress(fields.emailAddress);
    if (signUp.invitationId && email !== signUp.emailAddress) {
      throw errors.paramInvalid("email_address", "is the invited address and cannot change");
    }
    if (findUserByEmail(ctx.core, email)) throw errors.identifierExists("email_address");
    if (email !== signUp.emailAddress) signUp.emailVerification = null;
    signUp.emailAddress = email;
  }
  if (fields.username !== undefined) {
    const username = normalizedUsername(fields.username);
    assertUnique(ctx.core, "username", username);
    signUp.username = username;
  }
  if (fields.phoneNumber !== undefined) {
    const phone = normalizedPhoneNumber(fields.phoneNumber);
    assertUnique(ctx.core, "phone_number", phone);
    if (phone !== signUp.phoneNumber) signUp.phoneVerification = null;
    signUp.phoneNumber = phone;
  }
  if (fields.password !== undefined) signUp.passwordHash = await passwordHashFor(fields.password);
  if (fields.firstName !== undefined) signUp.firstName = fields.firstName.trim() || null;
  if (fields.lastName !== undefined) signUp.lastName = fields.lastName.trim() || null;
  if (fields.legalAccepted !== undefined) {
    signUp.legalAcceptedAt = fields.legalAccepted ? ctx.core.now() : null;
  }
  signUp.updatedAt = ctx.core.now();
}

export async function startSignUp(
  ctx: Ctx,
  client: ClientRecord,
  fields: SignUpFields,
): Promise<SignUpRecord> {
  if (activeSessionsOf(ctx.core, client).length > 0) throw errors.sessionExists();
  const now = ctx.core.now();
  const signUp: SignUpRecord = {
    id: newId("sua"),
    clientId: client.id,
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
    createdAt: now,
    updatedAt: now,
    abandonAt: now + SIGN_UP_LIFETIME_MS,
  };
  // Validate everything before storing anything: a bad field leaves no half-made sign-up.
  if (fields.transfer) return transferFromSignIn(ctx, client, signUp);
  await applyFields(ctx, signUp, fields);
  ctx.core.store.put("signUps", signUp);
  client.signUpId = signUp.id;
  startSocialSignUp(ctx, client, signUp, fields);
  return completeIfReady(ctx, client, signUp);
}

// A sign-up through a social provider waits for its OAuth flow (oauth-flows.ts calls
// signUpWithIdentity when it comes back).
function startSocialSignUp(
  ctx: Ctx,
  client: ClientRecord,
  signUp: SignUpRecord,
  fields: SignUpFields,
) {
  const provider = fields.strategy ? providerOfStrategy(fields.strategy) : null;
  if (!provider || !fields.redirect) return;
  signUp.identity = undefined;
  signUp.externalAccountVerification = startOAuthFlow(ctx, {
    provider,
    purpose: "sign_up",
    targetId: signUp.id,
    clientId: client.id,
    ...fields.redirect,
  });
  ctx.core.store.save();
}

// The OAuth flow of this sign-up came back with a provider account. One that already has a user
// (connected, or by a verified address) makes the sign-up "transferable": the client signs that
// user in instead (`signIn.create({ transfer: true })`). Otherwise the account becomes the new
// user's: its address (verified if the provider vouches for it, else by an emailed code) and
// names; no password is needed.
export async function signUpWithIdentity(
  ctx: Ctx,
  client: ClientRecord,
  signUp: SignUpRecord,
  identity: ProviderIdentity,
): Promise<SignUpRecord> {
  const verification = signUp.externalAccountVerification ?? {
    strategy: `oauth_${identity.provider}`,
    status: "unverified",
    emailAddressId: null,
    codeHash: null,
    attempts: 0,
    expireAt: null,
  };
  signUp.identity = identity;
  signUp.updatedAt = ctx.core.now();
  if (ownerOfIdentity(ctx.core, identity)) {
    signUp.externalAccountVerification = {
      ...verification,
      status: "transferable",
      externalRedirectUrl: undefined,
      error: {
        code: "external_account_exists",
        message: "External account exists",
        longMessage: "This external account already exists. Sign in instead.",
      },
    };
    ctx.core.store.save();
    return signUp;
  }
  const email = identity.emailAddress;
  if (findUserByEmail(ctx.core, email)) {
    // Held, unverified, by another user: Clerk will not hand it to a new one.
    signUp.externalAccountVerification = failVerification(verification, {
      code: "form_identifier_exists",
      message: "That email address is taken. Please try another.",
      longMessage: "That email address is taken. Please try another.",
    });
    ctx.core.store.save();
    return signUp;
  }
  signUp.externalAccountVerification = {
    ...verification,
    status: "verified",
    externalRedirectUrl: undefined,
  };
  if (offeredSettings(ctx.core).identifiers.email_address.enabled) {
    signUp.emailAddress = email;
    signUp.emailVerification = identity.emailVerified
      ? {
          strategy: `from_oauth_${identity.provider}`,
          status: "verified",
          emailAddressId: null,
          codeHash: null,
          attempts: 1,
          expireAt: null,
        }
      : null;
  }
  signUp.firstName ??= identity.firstName;
  signUp.lastName ??= identity.lastName;
  signUp.username ??= usernameFrom(ctx, identity);
  ctx.core.store.save();
  return completeIfReady(ctx, client, signUp);
}

// A provider's login name (GitHub's) becomes the username where the instance has usernames and
// it is a valid, free one; otherwise the sign-up asks for one if it must.
function usernameFrom(ctx: Ctx, identity: ProviderIdentity): string | null {
  if (!identity.username || !offeredSettings(ctx.core).identifiers.username.enabled) return null;
  try {
    const username = normalizedUsername(identity.username);
    return findUserByUsername(ctx.core, username) ? null : username;
  } catch {
    return null;
  }
}

// `signUp.create({ transfer: true })`: the client's sign-in came back from its provider with an
// account nobody has; make it a new user.
async function transferFromSignIn(ctx: Ctx, client: ClientRecord, signUp: SignUpRecord) {
  const signIn = client.signInId ? ctx.core.store.state.signIns[client.signInId] : undefined;
  const identity = signIn?.identity;
  if (signIn?.firstFactorVerification?.status !== "transferable" || !identity) {
    throw errors.paramInvalid("transfer", "needs a sign-in whose social account has no user");
  }
  signUp.externalAccountVerification = {
    ...signIn.firstFactorVerification,
    status: "unverified",
    error: undefined,
  };
  ctx.core.store.put("signUps", signUp);
  client.signUpId = signUp.id;
  client.signInId = null;
  return signUpWithIdentity(ctx, client, signUp, identity);
}

export async function updateSignUp(
  ctx: Ctx,
  client: ClientRecord,
  signUp: SignUpRecord,
  fields: SignUpFields,
) {
  if (signUp.status !== "missing_requirements")
    throw errors.paramInvalid("sign_up", "is already complete");
  await applyFields(ctx, signUp, fields);
  ctx.core.store.save();
  startSocialSignUp(ctx, client, signUp, fields);
  return completeIfReady(ctx, client, signUp);
}

// The number is proved with a texted code (`phone_code`); the address with an emailed code or,
// where the instance verifies by link, an emailed link (`redirect`: where the browser goes once
// it is opened).
export function prepareVerification(
  ctx: Ctx,
  signUp: SignUpRecord,
  strategy: string,
  redirect?: LinkRedirect,
) {
  if (strategy === "phone_code") {
    if (!signUp.phoneNumber) throw errors.paramMissing("phone_number");
    signUp.phoneVerification = sendSmsCode(
      ctx,
      { id: null, phoneNumber: signUp.phoneNumber },
      "sign-up",
    );
  } else {
    prepareEmailVerification(ctx, signUp, strategy, redirect);
  }
  signUp.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return signUp;
}

function prepareEmailVerification(
  ctx: Ctx,
  signUp: SignUpRecord,
  strategy: string,
  redirect?: LinkRedirect,
) {
  const offered = offeredSettings(ctx.core).identifiers.email_address.verifications;
  if (strategy !== "email_code" && strategy !== "email_link") {
    throw errors.paramInvalid("strategy", "must be email_code, email_link or phone_code");
  }
  if (!offered[strategy]) throw errors.strategyForUserInvalid();
  if (!signUp.emailAddress) throw errors.paramMissing("email_address");
  const to = { id: null, emailAddress: signUp.emailAddress };
  if (strategy === "email_link") {
    if (!redirect) throw errors.paramMissing("redirect_url");
    signUp.emailVerification = sendEmailLink(ctx, {
      purpose: "sign_up",
      targetId: signUp.id,
      to,
      subject: "Verify your email address to sign up",
      ...redirect,
    });
  } else {
    signUp.emailVerification = sendEmailCode(ctx, to, "sign-up");
  }
}

// Its emailed link was opened: the address is verified, and the sign-up completes if nothing
// else is missing (the browser that asked learns it by polling).
export async function verifySignUpByLink(ctx: Ctx, signUp: SignUpRecord): Promise<LinkOutcome> {
  const v = signUp.emailVerification;
  if (v?.strategy !== "email_link") return { status: "failed" };
  if (v.status === "verified") return { status: "verified", sessionId: signUp.createdSessionId };
  if (v.status !== "unverified" || signUp.status !== "missing_requirements") {
    return { status: "failed" };
  }
  if (v.expireAt !== null && v.expireAt <= ctx.core.now()) {
    v.status = "expired";
    ctx.core.store.save();
    return { status: "expired" };
  }
  const client = ctx.core.store.state.clients[signUp.clientId];
  if (!client) return { status: "failed" };
  v.status = "verified";
  v.attempts += 1;
  const done = await completeIfReady(ctx, client, signUp);
  return { status: "verified", sessionId: done.createdSessionId };
}

export async function attemptVerification(
  ctx: Ctx,
  client: ClientRecord,
  signUp: SignUpRecord,
  input: { strategy: string; code: string },
): Promise<SignUpRecord> {
  const verification =
    input.strategy === "phone_code" ? signUp.phoneVerification : signUp.emailVerification;
  if (verification?.strategy === "email_link") {
    throw errors.paramInvalid("strategy", "is email_link: the emailed link verifies the address");
  }
  if (!verification || verification.strategy !== input.strategy) {
    throw errors.paramInvalid("strategy", `${input.strategy} must be prepared first`);
  }
  const result = checkCode(verification, input.code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  return completeIfReady(ctx, client, signUp);
}

// A sign-up becomes a user once what the instance requires is there and every address or number
// given is verified: then the user signs in.
// With an invitation's ticket, the user joins its organization, which becomes the session's active
// one (the app then opens that organization's dashboard).
async function completeIfReady(ctx: Ctx, client: ClientRecord, signUp: SignUpRecord) {
  const oauthPending =
    signUp.externalAccountVerification !== undefined &&
    signUp.externalAccountVerification.status !== "verified";
  if (
    missingFields(ctx.core, signUp).length > 0 ||
    unverifiedFields(signUp).length > 0 ||
    oauthPending
  ) {
    return signUp;
  }
  const inv = signUp.invitationId
    ? ctx.core.store.state.invitations[signUp.invitationId]
    : undefined;
  // Checked again before the user exists: the invitation may have been revoked since.
  if (signUp.invitationId) {
    if (!inv) throw errors.ticketInvalid();
    assertTicketUsable(ctx.core, inv);
  }
  const user = await createUser(ctx, {
    emailAddresses: signUp.emailAddress === null ? [] : [signUp.emailAddress],
    phoneNumbers: signUp.phoneNumber === null ? [] : [signUp.phoneNumber],
    username: signUp.username,
    passwordHash: signUp.passwordHash ?? undefined,
    firstName: signUp.firstName,
    lastName: signUp.lastName,
    legalAcceptedAt: signUp.legalAcceptedAt ?? null,
    externalAccounts: signUp.identity ? [newExternalAccount(ctx.core, signUp.identity)] : [],
    // How the sign-up proved the address (a ticket's address reads as the instance's own).
    emailVerifiedBy:
      signUp.emailVerification?.strategy === "ticket"
        ? undefined
        : signUp.emailVerification?.strategy,
  });
  if (inv) acceptInvitation(ctx, inv, user.id);
  const session = createSession(ctx, user.id, {
    clientId: client.id,
    organizationId: inv?.organizationId,
  });
  signUp.status = "complete";
  signUp.createdUserId = user.id;
  signUp.createdSessionId = session.id;
  client.signUpId = null;
  // A social sign-up is how this browser signs in next; a code only proved an address.
  if (signUp.identity) rememberStrategy(client, signUp.externalAccountVerification?.strategy);
  signUp.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return signUp;
}

export function missingFields(core: Core, signUp: SignUpRecord): string[] {
  const present: Record<string, boolean> = {
    email_address: signUp.emailAddress !== null,
    phone_number: signUp.phoneNumber !== null,
    username: signUp.username !== null,
    first_name: signUp.firstName !== null,
    last_name: signUp.lastName !== null,
    legal_accepted: (signUp.legalAcceptedAt ?? null) !== null,
    // A sign-up through a social provider needs no password.
    password: signUp.passwordHash !== null || signUp.identity !== undefined,
  };
  return signUpFields(core).required.filter((field) => !present[field]);
}

// The identifiers given but not proved yet with their code.
export function unverifiedFields(signUp: SignUpRecord): string[] {
  return [
    ...(signUp.emailAddress !== null && signUp.emailVerification?.status !== "verified"
      ? ["email_address"]
      : []),
    ...(signUp.phoneNumber !== null && signUp.phoneVerification?.status !== "verified"
      ? ["phone_number"]
      : []),
  ];
}
