import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import { SIGN_IN_PATH } from "../json/environment";
import { newId } from "../store/ids";
import type { ActorTokenRecord } from "../store/records";
import { mintActorToken, type TicketSource } from "../tokens/ticket";

// Clerk's defaults: the token is usable for an hour, the session it starts lasts 30 minutes.
const DEFAULT_EXPIRES_IN_SECONDS = 60 * 60;
const DEFAULT_SESSION_MAX_DURATION_SECONDS = 30 * 60;
// An impersonation session left idle this long ends (Clerk's 10-minute inactivity timeout).
export const IMPERSONATION_INACTIVITY_MS = 10 * 60 * 1000;

export type ActorTokenInput = {
  userId: string;
  actor: ActorTokenRecord["actor"];
  expiresInSeconds?: number | null | undefined;
  sessionMaxDurationSeconds?: number | null | undefined;
};

// A token that signs `actor.sub` in as the user. As for sign-in tokens, `url` is the app's sign-in
// page with `__clerk_ticket`, which <SignIn/> redeems (Clerk's url passes through its Frontend API
// first, which ends the browser's sessions and redirects there).
export async function createActorToken(
  core: Core,
  input: ActorTokenInput,
  appOrigin: string,
): Promise<ActorTokenRecord> {
  const now = core.now();
  const draft: ActorTokenRecord = {
    id: newId("act"),
    userId: input.userId,
    actor: input.actor,
    status: "pending",
    token: "",
    url: "",
    expiresAt: now + (input.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS) * 1000,
    sessionMaxDurationSeconds:
      input.sessionMaxDurationSeconds ?? DEFAULT_SESSION_MAX_DURATION_SECONDS,
    createdAt: now,
    updatedAt: now,
  };
  // Signed first: nothing may await between the check below and the write. Clerk's spec lists no
  // 404 for this operation: an unknown user is a bad parameter.
  const token = await mintActorToken(core, draft);
  if (!core.store.state.users[draft.userId]) {
    throw errors.paramInvalid("user_id", "is not a user of this instance");
  }
  const url = new URL(SIGN_IN_PATH, appOrigin);
  url.searchParams.set("__clerk_ticket", token);
  return core.store.put("actorTokens", { ...draft, token, url: url.toString() });
}

export function getActorToken(core: Core, id: string): ActorTokenRecord {
  const token = core.store.state.actorTokens[id];
  if (!token) throw errors.notFound("actor token");
  return token;
}

export function revokeActorToken(core: Core, token: ActorTokenRecord): ActorTokenRecord {
  if (token.status !== "pending") throw errors.actorTokenCannotBeRevoked(token.status);
  token.status = "revoked";
  token.updatedAt = Math.max(core.now(), token.updatedAt + 1);
  core.store.save();
  return token;
}

// The still usable token a ticket names, as a sign-in takes it; its expiry is the ticket's own.
export function actorTokenForTicket(
  core: Core,
  source: Extract<TicketSource, { type: "actor_token" }>,
): ActorTokenRecord {
  const token = core.store.state.actorTokens[source.actorTokenId];
  if (!token) throw errors.actorTokenSubjectNotFound();
  if (token.status === "revoked") throw errors.actorTokenRevoked();
  if (token.status === "accepted") throw errors.actorTokenAlreadyUsed();
  if (!core.store.state.users[token.userId]) throw errors.actorTokenSubjectNotFound();
  return token;
}

// Single use: the first sign-in that presents it spends it.
export function acceptActorToken(core: Core, token: ActorTokenRecord): void {
  token.status = "accepted";
  token.updatedAt = Math.max(core.now(), token.updatedAt + 1);
  core.store.save();
}

// A deleted user's tokens go with them (their tickets then name no token: subject not found).
export function deleteActorTokensOf(core: Core, userId: string): void {
  for (const token of core.store.lookup("actorTokens", "user", userId)) {
    core.store.remove("actorTokens", token.id);
  }
}
