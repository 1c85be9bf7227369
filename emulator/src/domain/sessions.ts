import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { sessionJSON, userJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import type {
  ActorTokenRecord,
  ClientRecord,
  SessionRecord,
  SessionStatus,
} from "../store/records";
import { IMPERSONATION_INACTIVITY_MS } from "./actor-tokens";
import { findMembership } from "./memberships";

const DAY_MS = 24 * 60 * 60 * 1000;
const SESSION_LIFETIME_MS = 7 * DAY_MS;
const SESSION_INACTIVITY_MS = 30 * DAY_MS;

export function sessionEventPayload(core: Core, s: SessionRecord) {
  const user = core.store.state.users[s.userId];
  if (!user) throw new Error(`session ${s.id} points at missing user ${s.userId}`);
  return { ...sessionJSON(s), user: userJSON(user) };
}

export function getSession(core: Core, id: string): SessionRecord {
  const session = core.store.state.sessions[id];
  if (!session) throw errors.notFound("session");
  if (session.status === "active" && session.expireAt <= core.now()) {
    session.status = "expired";
    core.store.save();
  } else if (session.status === "active" && session.abandonAt <= core.now()) {
    session.status = "abandoned";
    core.store.save();
  }
  return session;
}

// The session is in use (a touch, a new token): an impersonation session's inactivity window
// starts again, never past its end.
export function markSessionActive(core: Core, session: SessionRecord): void {
  const now = core.now();
  session.lastActiveAt = now;
  if (session.actor) {
    session.abandonAt = Math.min(session.expireAt, now + IMPERSONATION_INACTIVITY_MS);
  }
  core.store.save();
}

export function getActiveSession(core: Core, id: string): SessionRecord {
  const session = getSession(core, id);
  if (session.status !== "active") throw errors.notFound("session");
  return session;
}

function newClient(core: Core): ClientRecord {
  const now = core.now();
  const client: ClientRecord = {
    id: newId("client"),
    devBrowserId: null,
    sessionIds: [],
    lastActiveSessionId: null,
    signInId: null,
    signUpId: null,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("clients", client);
  return client;
}

export function createSession(
  ctx: Ctx,
  userId: string,
  options: {
    organizationId?: string | null | undefined;
    clientId?: string | undefined;
    // The sign-in verified a second factor too.
    secondFactorVerified?: boolean | undefined;
    // An actor token's sign-in: the session impersonates the user, for at most its duration.
    impersonation?: ActorTokenRecord | undefined;
  } = {},
): SessionRecord {
  const { core } = ctx;
  const user = core.store.state.users[userId];
  if (!user) throw errors.notFound("user");
  const organizationId = options.organizationId ?? null;
  if (organizationId && !findMembership(core, organizationId, userId)) {
    throw errors.paramInvalid("organization_id", "is not an organization this user belongs to");
  }
  const client =
    (options.clientId && core.store.state.clients[options.clientId]) || newClient(core);
  const now = core.now();
  const actorToken = options.impersonation;
  const expireAt = actorToken
    ? now + actorToken.sessionMaxDurationSeconds * 1000
    : now + SESSION_LIFETIME_MS;
  const session: SessionRecord = {
    id: newId("sess"),
    clientId: client.id,
    userId,
    status: "active",
    lastActiveOrganizationId: organizationId,
    lastActiveAt: now,
    expireAt,
    abandonAt: actorToken
      ? Math.min(expireAt, now + IMPERSONATION_INACTIVITY_MS)
      : now + SESSION_INACTIVITY_MS,
    signedInFrom: ctx.origin,
    firstFactorVerifiedAt: now,
    secondFactorVerifiedAt: options.secondFactorVerified ? now : null,
    reverification: null,
    ...(actorToken ? { actor: actorToken.actor } : {}),
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("sessions", session);
  client.sessionIds.push(session.id);
  client.lastActiveSessionId = session.id;
  client.updatedAt = now;
  user.lastSignInAt = now;
  user.lastActiveAt = now;
  core.store.save();
  core.webhooks.emit(ctx, "session.created", sessionEventPayload(core, session));
  return session;
}

const EVENT_FOR_STATUS: Partial<Record<SessionStatus, string>> = {
  ended: "session.ended",
  removed: "session.removed",
  revoked: "session.revoked",
};

export function endSession(
  ctx: Ctx,
  session: SessionRecord,
  status: "ended" | "removed" | "revoked",
): SessionRecord {
  const { core } = ctx;
  session.status = status;
  session.updatedAt = Math.max(core.now(), session.updatedAt + 1);
  const client = core.store.state.clients[session.clientId];
  if (client?.lastActiveSessionId === session.id) client.lastActiveSessionId = null;
  core.store.save();
  const event = EVENT_FOR_STATUS[status];
  if (event) core.webhooks.emit(ctx, event, sessionEventPayload(core, session));
  return session;
}
