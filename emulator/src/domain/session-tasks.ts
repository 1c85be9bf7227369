import type { Core } from "../core";
import type { SessionRecord } from "../store/records";
import { offeredSettings } from "./instance-settings";
import { twoFactorEnabled } from "./mfa-status";

export type SessionTask = { key: "setup-mfa" } | { key: "choose-organization" };

// What a signed-in user must still do before their session is active (Clerk's session tasks), in
// order (clerk-js shows the first): where the instance requires MFA, a user without a second
// factor sets one up (`setup-mfa`); where it requires organization membership, a session without
// an active organization chooses or creates one (`choose-organization`). Until then the session is
// `pending`: its tokens say so (`sts`), and the app's `auth()` treats it as signed out. Nothing is
// stored: a task is done the moment the user has a second factor, or the session an active
// organization.
export function sessionTasks(core: Core, session: SessionRecord): SessionTask[] {
  const user = core.store.state.users[session.userId];
  if (!user) return [];
  const settings = offeredSettings(core);
  const tasks: SessionTask[] = [];
  if (settings.requirements.mfa_required && !twoFactorEnabled(user))
    tasks.push({ key: "setup-mfa" });
  if (settings.organizations.membership_required && session.lastActiveOrganizationId === null) {
    tasks.push({ key: "choose-organization" });
  }
  return tasks;
}

// The status clerk-js and tokens see: an active session with a task to do is pending.
export function sessionStatus(core: Core, session: SessionRecord) {
  return session.status === "active" && sessionTasks(core, session).length > 0
    ? "pending"
    : session.status;
}
