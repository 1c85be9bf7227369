import type { Ctx } from "../core";
import { verifyPassword } from "../crypto/password";
import { errors } from "../http/clerk-errors";
import type { UserRecord } from "../store/records";
import { endSession } from "./sessions";
import { getUser, hashNewPassword, touchUser } from "./users";

// A user's password changes in two places: <UserProfile/> (signed in, with the current one) and
// <SignIn/>'s "Forgot password?" (after an emailed code). Either may sign the user out of their
// other sessions, which Clerk revokes.

export type NewPassword = {
  passwordHash: string;
  // Revoke every other active session of the user, keeping this one (null: keep none).
  signOutOfOtherSessions: { keep: string | null } | false;
};

export function setPassword(ctx: Ctx, userId: string, change: NewPassword): UserRecord {
  const user = getUser(ctx.core, userId);
  user.passwordHash = change.passwordHash;
  touchUser(ctx, user);
  if (change.signOutOfOtherSessions) {
    const { keep } = change.signOutOfOtherSessions;
    const now = ctx.core.now();
    for (const s of Object.values(ctx.core.store.state.sessions)) {
      if (s.userId === userId && s.id !== keep && s.status === "active" && s.expireAt > now) {
        endSession(ctx, s, "revoked");
      }
    }
  }
  return user;
}

export async function changePassword(
  ctx: Ctx,
  userId: string,
  input: {
    currentPassword: string | undefined;
    newPassword: string;
    signOutOfOtherSessions: boolean;
    sessionId: string;
  },
): Promise<UserRecord> {
  const current = getUser(ctx.core, userId).passwordHash;
  // The emulator never asks for reverification, so a user who has a password proves it here.
  if (current !== null) {
    if (input.currentPassword === undefined) throw errors.paramMissing("current_password");
    if (!(await verifyPassword(input.currentPassword, current))) {
      throw errors.passwordIncorrect("current_password");
    }
    if (await verifyPassword(input.newPassword, current)) throw errors.newPasswordMatchesCurrent();
  }
  const passwordHash = await hashNewPassword(input.newPassword, "new_password");
  return setPassword(ctx, userId, {
    passwordHash,
    signOutOfOtherSessions: input.signOutOfOtherSessions && { keep: input.sessionId },
  });
}
