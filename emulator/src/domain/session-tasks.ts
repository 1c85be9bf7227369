import type { Core } from "../core";
import type { SessionRecord } from "../store/records";
import { offeredSettings } from "./instance-settings";
import { twoFactorEnabled } from "./mfa-status";

export type SessionTask = { key: "setup-mfa" };

// What a signed-in user must still do before their session is active (Clerk's session tasks): where
// the instance requires MFA, a user without a second factor sets one up (`setup-mfa`). Until then
// the session is `pending`: its tokens say so (`sts`), and the app's `auth()` treats it as signed
// out. Nothing is stored: the task is done the moment the user has a second factor.
export function sessionTasks(core: Core, session: SessionRecord): SessionTask[] {
  const user = core.store.state.users[session.userId];
  if (!user) return [];
  const mfaRequired = offeredSettings(core).requirements.mfa_required;
  return mfaRequired && !twoFactorEnabled(user) ? [{ key: "setup-mfa" }] : [];
}

// The status clerk-js and tokens see: an active session with a task to do is pending.
export function sessionStatus(core: Core, session: SessionRecord) {
  return session.status === "active" && sessionTasks(core, session).length > 0
    ? "pending"
    : session.status;
}
