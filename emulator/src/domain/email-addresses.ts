import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { newId } from "../store/ids";
import type { EmailAddressRecord, UserRecord } from "../store/records";
import { assertUnique, getUser, touchUser } from "./users";

// A user's email addresses, as the Backend API's /email_addresses manages them. Each change is a
// user change: a new updated_at and a `user.updated` event, as Clerk sends.

export function findEmailAddress(core: Core, id: string) {
  const [user] = core.store.lookup("users", "emailAddressId", id);
  const email = user?.emailAddresses.find((e) => e.id === id);
  if (!user || !email) throw errors.notFound("email address");
  return { user, email };
}

export function addEmailAddress(
  ctx: Ctx,
  input: { userId: string; emailAddress: string; verified: boolean; primary: boolean },
): EmailAddressRecord {
  const user = getUser(ctx.core, input.userId);
  const emailAddress = input.emailAddress.trim().toLowerCase();
  assertUnique(ctx.core, "email_address", emailAddress);
  const now = ctx.core.now();
  const email: EmailAddressRecord = {
    id: newId("idn"),
    emailAddress,
    verified: input.verified,
    createdAt: now,
    updatedAt: now,
  };
  const primary = input.primary || user.primaryEmailAddressId === null;
  touchUser(ctx, user, {
    emailAddresses: [...user.emailAddresses, email],
    primaryEmailAddressId: primary ? email.id : user.primaryEmailAddressId,
  });
  return email;
}

export function updateEmailAddress(
  ctx: Ctx,
  id: string,
  input: { verified?: boolean | undefined; primary?: boolean | undefined },
): EmailAddressRecord {
  const { user, email } = findEmailAddress(ctx.core, id);
  if (input.verified !== undefined) email.verified = input.verified;
  email.updatedAt = ctx.core.now();
  touchUser(ctx, user, input.primary ? { primaryEmailAddressId: email.id } : {});
  return email;
}

// The primary address stays: make another one primary first (a user signs in with it).
export function removeEmailAddress(ctx: Ctx, id: string): UserRecord {
  const { user } = findEmailAddress(ctx.core, id);
  if (user.primaryEmailAddressId === id) {
    throw errors.paramInvalid(
      "email_address_id",
      "is the user's primary email address: make another one primary first",
      400,
    );
  }
  return touchUser(ctx, user, {
    emailAddresses: user.emailAddresses.filter((e) => e.id !== id),
  });
}
