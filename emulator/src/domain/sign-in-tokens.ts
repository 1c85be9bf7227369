import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import { SIGN_IN_PATH } from "../json/environment";
import { newId } from "../store/ids";
import type { SignInTokenRecord } from "../store/records";
import { mintSignInToken, type TicketSource } from "../tokens/ticket";
import { findMembership } from "./memberships";

// Clerk's default lifetime: 30 days.
const DEFAULT_EXPIRES_IN_SECONDS = 30 * 24 * 60 * 60;

export type SignInTokenInput = {
  userId: string;
  expiresInSeconds?: number | null | undefined;
  organizationId?: string | null | undefined;
};

// A token for the user, its ticket in `token` and in `url`: the app's sign-in page with
// `__clerk_ticket`, which <SignIn/> redeems (Clerk's url opens its Account Portal instead).
export async function createSignInToken(
  core: Core,
  input: SignInTokenInput,
  appOrigin: string,
): Promise<SignInTokenRecord> {
  const now = core.now();
  const draft: SignInTokenRecord = {
    id: newId("sit"),
    userId: input.userId,
    status: "pending",
    organizationId: input.organizationId ?? null,
    token: "",
    url: "",
    expiresAt: now + (input.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS) * 1000,
    createdAt: now,
    updatedAt: now,
  };
  // Signed first: nothing may await between the checks below and the write.
  const token = await mintSignInToken(core, draft);
  if (!core.store.state.users[draft.userId]) throw errors.notFound("user");
  if (draft.organizationId && !findMembership(core, draft.organizationId, draft.userId)) {
    throw errors.paramInvalid("org_id", "must be an organization the user is a member of");
  }
  const url = new URL(SIGN_IN_PATH, appOrigin);
  url.searchParams.set("__clerk_ticket", token);
  return core.store.put("signInTokens", { ...draft, token, url: url.toString() });
}

export function getSignInToken(core: Core, id: string): SignInTokenRecord {
  const token = core.store.state.signInTokens[id];
  if (!token) throw errors.notFound("sign in token");
  return token;
}

export function revokeSignInToken(core: Core, token: SignInTokenRecord): SignInTokenRecord {
  if (token.status !== "pending") throw errors.signInTokenCannotBeRevoked(token.status);
  token.status = "revoked";
  token.updatedAt = Math.max(core.now(), token.updatedAt + 1);
  core.store.save();
  return token;
}

// The still usable token a ticket names, as a sign-in takes it. Its expiry is the ticket's own
// (ticket_expired_code); a token whose organization the user has left since cannot be used.
export function signInTokenForTicket(
  core: Core,
  source: Extract<TicketSource, { type: "sign_in_token" }>,
): SignInTokenRecord {
  const token = core.store.state.signInTokens[source.signInTokenId];
  if (!token) throw errors.ticketInvalid();
  if (token.status === "revoked") throw errors.signInTokenRevoked();
  if (token.status === "accepted") throw errors.signInTokenAlreadyUsed();
  if (token.organizationId && !findMembership(core, token.organizationId, token.userId)) {
    throw errors.signInTokenCannotBeUsed();
  }
  return token;
}

// Single use: the first sign-in that presents it spends it.
export function acceptSignInToken(core: Core, token: SignInTokenRecord): void {
  token.status = "accepted";
  token.updatedAt = Math.max(core.now(), token.updatedAt + 1);
  core.store.save();
}

// A deleted user's tokens go with them.
export function deleteSignInTokensOf(core: Core, userId: string): void {
  for (const token of core.store.lookup("signInTokens", "user", userId)) {
    core.store.remove("signInTokens", token.id);
  }
}
