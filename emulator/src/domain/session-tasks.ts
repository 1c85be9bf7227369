import type { Core } from "../core";
import type { SessionRecord } from "../store/records";
import { offeredSettings } from "./instance-settings";

export type SessionTask = { key: "choose-organization" };

// What a signed-in user must still do before their session is active (Clerk's session tasks):
// where the instance requires organization membership, a session without an active organization
// chooses or creates one (`choose-organization`). Until then the session is `pending`: its tokens
// say so (`sts`), and the app's `auth()` treats it as signed out. Nothing is stored: the task is
// done the moment the session has an active organization.
export function sessionTasks(core: Core, session: SessionRecord): SessionTask[] {
  const membershipRequired = offeredSettings(core).organizations.membership_required;
  return membershipRequired && session.lastActiveOrganizationId === null
    ? [{ key: "choose-organization" }]
    : [];
}

// The status clerk-js and tokens see: an active session with a task to do is pending.
export function sessionStatus(core: Core, session: SessionRecord) {
  return session.status === "active" && sessionTasks(core, session).length > 0
    ? "pending"
    : session.status;
}
