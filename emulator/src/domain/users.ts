import type { Core, Ctx } from "../core";
import { hashPassword } from "../crypto/password";
import { errors } from "../http/clerk-errors";
import { deletedJSON, userJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import type {
  ExternalAccountRecord,
  Metadata,
  UserRecord,
  VerificationRecord,
} from "../store/records";
import { deleteActorTokensOf } from "./actor-tokens";
import { deleteApiKeysOf } from "./api-keys";
import { enrollUser } from "./domain-enrollment";
import { normalizedPhoneNumber } from "./e164";
import { forgetRequestsOf } from "./membership-requests";
import { membershipsOfUser, removeMembership } from "./memberships";
import { mergeMetadata } from "./metadata";
import { endSession } from "./sessions";
import { deleteSignInTokensOf } from "./sign-in-tokens";

export const MIN_PASSWORD_LENGTH = 8;
export const USERNAME_LENGTH = { min: 4, max: 64 } as const;

export type CreateUserInput = {
  emailAddresses: string[];
  // Verified, as the Backend API and a sign-up create them; the first is primary.
  phoneNumbers?: string[] | undefined;
  password?: string | undefined;
  // A sign-up hashes the password when it is given, long before the user exists.
  passwordHash?: string | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  username?: string | null | undefined;
  externalId?: string | null | undefined;
  // When they accepted the legal documents (a sign-up's consent, the Backend API's
  // `legal_accepted_at`).
  legalAcceptedAt?: number | null | undefined;
  publicMetadata?: Metadata | undefined;
  privateMetadata?: Metadata | undefined;
  unsafeMetadata?: Metadata | undefined;
  id?: string | undefined;
  createdAt?: number | undefined;
  // A sign-up through a social provider: its account, and how the addresses were verified (the
  // provider vouched for them) when not by the instance's own means.
  externalAccounts?: ExternalAccountRecord[] | undefined;
  emailVerifiedBy?: VerificationRecord["strategy"] | undefined;
};

export type UpdateUserInput = {
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  username?: string | null | undefined;
  externalId?: string | null | undefined;
  password?: string | undefined;
  primaryEmailAddressId?: string | undefined;
  primaryPhoneNumberId?: string | undefined;
};

export function getUser(core: Core, id: string): UserRecord {
  const user = core.store.state.users[id];
  if (!user) throw errors.notFound("user");
  return user;
}

// Any address a user holds, verified or not, is taken; only a verified one signs them in.
export function findUserByEmail(
  core: Core,
  email: string,
  options: { verifiedOnly?: boolean } = {},
): UserRecord | undefined {
  const wanted = email.trim().toLowerCase();
  return core.store
    .lookup("users", "email", wanted)
    .find((u) =>
      u.emailAddresses.some(
        (e) => e.emailAddress === wanted && (e.verified || !options.verifiedOnly),
      ),
    );
}

export function findUserByUsername(core: Core, username: string): UserRecord | undefined {
  return core.store.lookup("users", "username", username.trim().toLowerCase())[0];
}

// Clerk's username rules (the environment's `username_settings`): 4 to 64 letters, digits, `_`
// and `-`, not digits only; usernames compare, and are kept, in lower case.
export function normalizedUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (username.length < USERNAME_LENGTH.min || username.length > USERNAME_LENGTH.max) {
    throw errors.usernameInvalid(
      "form_username_invalid_length",
      `Username must be between ${USERNAME_LENGTH.min} and ${USERNAME_LENGTH.max} characters long.`,
      USERNAME_LENGTH,
    );
  }
  if (!/^[a-z0-9_-]+$/.test(username)) {
    throw errors.usernameInvalid(
      "form_username_invalid_character",
      "Username can only contain letters, numbers and '_' or '-'.",
    );
  }
  if (/^[0-9]+$/.test(username)) {
    throw errors.usernameInvalid(
      "form_username_needs_non_number_char",
      "Your username must contain at least one non-numeric character.",
    );
  }
  return username;
}

export function assertUnique(
  core: Core,
  field: "email_address" | "phone_number" | "username" | "external_id",
  value: string,
  selfId?: string,
) {
  const indexed = { email_address: "email", phone_number: "phone", username: "username" } as const;
  const taken =
    field === "external_id"
      ? Object.values(core.store.state.users).some((u) => u.id !== selfId && u.externalId === value)
      : core.store.lookup("users", indexed[field], value).some((u) => u.id !== selfId);
  if (taken) throw errors.identifierExists(field);
}

// `param` names the field the password came in, for the error.
export async function hashNewPassword(password: string, param = "password"): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw errors.passwordTooShort(param);
  return hashPassword(password);
}

export async function passwordHashFor(password: string | undefined): Promise<string | null> {
  return password === undefined ? null : hashNewPassword(password);
}

export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<UserRecord> {
  const { core } = ctx;
  // Hash before the uniqueness checks: nothing may await between check and insert.
  const passwordHash = input.passwordHash ?? (await passwordHashFor(input.password));
  const emails = [...new Set(input.emailAddresses.map((e) => e.trim().toLowerCase()))];
  for (const email of emails) assertUnique(core, "email_address", email);
  const phones = [...new Set((input.phoneNumbers ?? []).map((p) => normalizedPhoneNumber(p)))];
  for (const phone of phones) assertUnique(core, "phone_number", phone);
  const username = input.username ? normalizedUsername(input.username) : null;
  if (username) assertUnique(core, "username", username);
  if (input.externalId) assertUnique(core, "external_id", input.externalId);
  if (input.id && core.store.state.users[input.id]) throw errors.duplicateRecord("user");

  const now = input.createdAt ?? core.now();
  const emailAddresses = emails.map((emailAddress) => {
    const id = newId("idn");
    const strategy = input.emailVerifiedBy;
    const verification: VerificationRecord | undefined = strategy && {
      strategy,
      status: "verified",
      emailAddressId: id,
      codeHash: null,
      attempts: 1,
      expireAt: null,
    };
    return { id, emailAddress, verified: true, verification, createdAt: now, updatedAt: now };
  });
  const phoneNumbers = phones.map((phoneNumber) => ({
    id: newId("idn"),
    phoneNumber,
    verified: true,
    reservedForSecondFactor: false,
    defaultSecondFactor: false,
    createdAt: now,
    updatedAt: now,
  }));
  const user: UserRecord = {
    id: input.id ?? newId("user"),
    externalId: input.externalId ?? null,
    username,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    emailAddresses,
    primaryEmailAddressId: emailAddresses[0]?.id ?? null,
    phoneNumbers,
    primaryPhoneNumberId: phoneNumbers[0]?.id ?? null,
    passwordHash,
    totp: null,
    backupCodes: null,
    passkeys: [],
    mfaEnabledAt: null,
    mfaDisabledAt: null,
    legalAcceptedAt: input.legalAcceptedAt ?? null,
    externalAccounts: input.externalAccounts ?? [],
    publicMetadata: input.publicMetadata ?? {},
    privateMetadata: input.privateMetadata ?? {},
    unsafeMetadata: input.unsafeMetadata ?? {},
    banned: false,
    locked: false,
    lastSignInAt: null,
    lastActiveAt: null,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("users", user);
  core.webhooks.emit(ctx, "user.created", userJSON(user));
  await enrollUser(ctx, user);
  return user;
}

export async function updateUser(
  ctx: Ctx,
  id: string,
  input: UpdateUserInput,
): Promise<UserRecord> {
  const { core } = ctx;
  const passwordHash = await passwordHashFor(input.password);
  const user = getUser(core, id);
  const username = input.username ? normalizedUsername(input.username) : input.username;
  if (username) assertUnique(core, "username", username, id);
  if (input.externalId) assertUnique(core, "external_id", input.externalId, id);
  if (
    input.primaryEmailAddressId !== undefined &&
    !user.emailAddresses.some((e) => e.id === input.primaryEmailAddressId && e.verified)
  ) {
    throw errors.paramInvalid(
      "primary_email_address_id",
      "must be a verified email address of this user",
    );
  }
  if (
    input.primaryPhoneNumberId !== undefined &&
    !user.phoneNumbers.some((p) => p.id === input.primaryPhoneNumberId && p.verified)
  ) {
    throw errors.paramInvalid(
      "primary_phone_number_id",
      "must be a verified phone number of this user",
    );
  }
  if (input.firstName !== undefined) user.firstName = input.firstName;
  if (input.lastName !== undefined) user.lastName = input.lastName;
  if (input.externalId !== undefined) user.externalId = input.externalId;
  if (input.primaryEmailAddressId !== undefined)
    user.primaryEmailAddressId = input.primaryEmailAddressId;
  if (input.primaryPhoneNumberId !== undefined)
    user.primaryPhoneNumberId = input.primaryPhoneNumberId;
  if (passwordHash !== null) user.passwordHash = passwordHash;
  return touchUser(ctx, user, username === undefined ? {} : { username });
}

export type MetadataInput = {
  publicMetadata?: Metadata | undefined;
  privateMetadata?: Metadata | undefined;
  unsafeMetadata?: Metadata | undefined;
};

export function updateUserMetadata(
  ctx: Ctx,
  id: string,
  input: MetadataInput,
  mode: "merge" | "replace",
): UserRecord {
  const user = getUser(ctx.core, id);
  const apply = (current: Metadata, next: Metadata | undefined) =>
    next === undefined ? current : mode === "merge" ? mergeMetadata(current, next) : next;
  user.publicMetadata = apply(user.publicMetadata, input.publicMetadata);
  user.privateMetadata = apply(user.privateMetadata, input.privateMetadata);
  user.unsafeMetadata = apply(user.unsafeMetadata, input.unsafeMetadata);
  return touchUser(ctx, user);
}

// Records a change to a user (plus `changes`, which may include its email addresses): new
// updated_at, saved, announced.
export function touchUser(
  ctx: Ctx,
  user: UserRecord,
  changes: Partial<UserRecord> = {},
): UserRecord {
  const updatedAt = Math.max(ctx.core.now(), user.updatedAt + 1);
  ctx.core.store.update("users", user, { ...changes, updatedAt });
  ctx.core.webhooks.emit(ctx, "user.updated", userJSON(user));
  return user;
}

export function deleteUser(ctx: Ctx, id: string) {
  const { core } = ctx;
  const user = getUser(core, id);
  for (const m of membershipsOfUser(core, id)) removeMembership(ctx, m);
  for (const s of core.store.lookup("sessions", "user", id)) {
    if (s.status === "active") endSession(ctx, s, "revoked");
  }
  deleteApiKeysOf(core, id);
  deleteSignInTokensOf(core, id);
  deleteActorTokensOf(core, id);
  forgetRequestsOf(core, "user", id);
  core.store.remove("users", id);
  const deleted = deletedJSON(
    "user",
    user.id,
    user.externalId ? { external_id: user.externalId } : {},
  );
  core.webhooks.emit(ctx, "user.deleted", deleted);
  return deleted;
}
