import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { ClientRecord, SignUpRecord } from "../store/records";
import { activeSessionsOf } from "./dev-browsers";
import { normalizedEmailAddress } from "./email-addresses";
import { checkEmailCode, sendEmailCode } from "./email-codes";
import { offeredSettings } from "./instance-settings";
import { acceptInvitation, assertTicketUsable, invitationForTicket } from "./invitations";
import { createSession } from "./sessions";
import { createUser, findUserByEmail, passwordHashFor } from "./users";

const SIGN_UP_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type SignUpFields = {
  emailAddress?: string | undefined;
  password?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  // `strategy: "ticket"`: an organization invitation's ticket (the link's `__clerk_ticket`).
  ticket?: string | undefined;
};

export function getSignUp(ctx: Ctx, client: ClientRecord, id: string): SignUpRecord {
  const signUp = ctx.core.store.state.signUps[id];
  if (!signUp || signUp.clientId !== client.id) throw errors.notFound("sign up");
  return signUp;
}

// A ticket stands for the invited address, verified: the invitee need not prove it again.
async function applyTicket(ctx: Ctx, signUp: SignUpRecord, ticket: string) {
  const inv = await invitationForTicket(ctx.core, ticket);
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

// What this instance asks of a sign-up: the required identifiers and, if passwords are on, a
// password; names are optional.
export function signUpFields(core: Core) {
  const s = offeredSettings(core);
  const ids = s.identifiers;
  const required = [
    ...(ids.email_address.required ? ["email_address"] : []),
    ...(s.first_factors.password ? ["password"] : []),
  ];
  const optional = [
    ...(ids.email_address.enabled && !ids.email_address.required ? ["email_address"] : []),
    "first_name",
    "last_name",
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
  if (fields.ticket !== undefined) await applyTicket(ctx, signUp, fields.ticket);
  if (fields.emailAddress !== undefined) {
    const email = normalizedEmailAddress(fields.emailAddress);
    if (signUp.invitationId && email !== signUp.emailAddress) {
      throw errors.paramInvalid("email_address", "is the invited address and cannot change");
    }
    if (findUserByEmail(ctx.core, email)) throw errors.identifierExists("email_address");
    if (email !== signUp.emailAddress) signUp.emailVerification = null;
    signUp.emailAddress = email;
  }
  if (fields.password !== undefined) signUp.passwordHash = await passwordHashFor(fields.password);
  if (fields.firstName !== undefined) signUp.firstName = fields.firstName.trim() || null;
  if (fields.lastName !== undefined) signUp.lastName = fields.lastName.trim() || null;
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
    invitationId: null,
    createdUserId: null,
    createdSessionId: null,
    createdAt: now,
    updatedAt: now,
    abandonAt: now + SIGN_UP_LIFETIME_MS,
  };
  // Validate everything before storing anything: a bad field leaves no half-made sign-up.
  await applyFields(ctx, signUp, fields);
  ctx.core.store.put("signUps", signUp);
  client.signUpId = signUp.id;
  return completeIfReady(ctx, client, signUp);
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
  return completeIfReady(ctx, client, signUp);
}

export function prepareEmailVerification(ctx: Ctx, signUp: SignUpRecord, strategy: string) {
  if (strategy !== "email_code") throw errors.paramInvalid("strategy", "must be email_code");
  if (!signUp.emailAddress) throw errors.paramMissing("email_address");
  signUp.emailVerification = sendEmailCode(
    ctx,
    { id: null, emailAddress: signUp.emailAddress },
    "sign-up",
  );
  signUp.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return signUp;
}

export async function attemptEmailVerification(
  ctx: Ctx,
  client: ClientRecord,
  signUp: SignUpRecord,
  code: string,
): Promise<SignUpRecord> {
  const verification = signUp.emailVerification;
  if (!verification) throw errors.paramInvalid("strategy", "email_code must be prepared first");
  const result = checkEmailCode(verification, code, ctx.core.now());
  ctx.core.store.save();
  if (result === "incorrect") throw errors.codeIncorrect();
  if (result === "expired") throw errors.verificationExpired();
  if (result === "too_many_attempts") throw errors.verificationFailed();
  return completeIfReady(ctx, client, signUp);
}

// A sign-up becomes a user once the email is verified and a password set: then the user signs in.
// With an invitation's ticket, the user joins its organization, which becomes the session's active
// one (the app then opens that organization's dashboard).
async function completeIfReady(ctx: Ctx, client: ClientRecord, signUp: SignUpRecord) {
  const emailUnverified =
    signUp.emailAddress !== null && signUp.emailVerification?.status !== "verified";
  if (missingFields(ctx.core, signUp).length > 0 || emailUnverified) return signUp;
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
    passwordHash: signUp.passwordHash ?? undefined,
    firstName: signUp.firstName,
    lastName: signUp.lastName,
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
  signUp.updatedAt = ctx.core.now();
  ctx.core.store.save();
  return signUp;
}

export function missingFields(core: Core, signUp: SignUpRecord): string[] {
  const present: Record<string, boolean> = {
    email_address: signUp.emailAddress !== null,
    password: signUp.passwordHash !== null,
  };
  return signUpFields(core).required.filter((field) => !present[field]);
}
