import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import type {
  ActorTokenRecord,
  OrganizationInvitationRecord,
  SignInTokenRecord,
} from "../store/records";
import { issuer } from "./session-token";

// Clerk's tickets are JWTs it signs, naming what they are for ("source type" and id) and expiring
// with it; the emulator signs them with its session-token key. A ticket is only as good as the
// record it names: revoking or using that record ends it too. The source type keeps the kinds
// apart: an invitation's ticket never passes for a sign-in token, nor either for an actor token.
export type TicketSource =
  | { type: "organization_invitation"; invitationId: string; organizationId: string }
  | { type: "sign_in_token"; signInTokenId: string }
  | { type: "actor_token"; actorTokenId: string };

function mintTicket(
  core: Core,
  claims: JWTPayload & { st: TicketSource["type"]; sid: string },
  times: { createdAt: number; expiresAt: number },
): Promise<string> {
  return new SignJWT({ iid: core.store.state.instanceId, ...claims })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: core.signingKey.kid })
    .setIssuer(issuer(core))
    .setIssuedAt(Math.floor(times.createdAt / 1000))
    .setExpirationTime(Math.floor(times.expiresAt / 1000))
    .sign(core.signingKey.privateKey);
}

export function mintInvitationTicket(
  core: Core,
  invitation: OrganizationInvitationRecord,
): Promise<string> {
  return mintTicket(
    core,
    { st: "organization_invitation", sid: invitation.id, oid: invitation.organizationId },
    invitation,
  );
}

export function mintSignInToken(core: Core, token: SignInTokenRecord): Promise<string> {
  return mintTicket(core, { st: "sign_in_token", sid: token.id }, token);
}

export function mintActorToken(core: Core, token: ActorTokenRecord): Promise<string> {
  return mintTicket(core, { st: "actor_token", sid: token.id }, token);
}

// What a ticket names: ticket_expired_code past its expiry, ticket_invalid_code for anything that
// is not a ticket of this instance.
export async function readTicket(core: Core, ticket: string): Promise<TicketSource> {
  try {
    const { payload } = await jwtVerify(ticket, core.signingKey.publicKey, {
      algorithms: ["RS256"],
      issuer: issuer(core),
      currentDate: new Date(core.now()),
    });
    const { iid, st, sid, oid } = payload;
    if (iid !== core.store.state.instanceId || typeof sid !== "string")
      throw errors.ticketInvalid();
    if (st === "organization_invitation" && typeof oid === "string") {
      return { type: st, invitationId: sid, organizationId: oid };
    }
    if (st === "sign_in_token") return { type: st, signInTokenId: sid };
    if (st === "actor_token") return { type: st, actorTokenId: sid };
    throw errors.ticketInvalid();
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw errors.ticketExpired();
    throw errors.ticketInvalid();
  }
}
