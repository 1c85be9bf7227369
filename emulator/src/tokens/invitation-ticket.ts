import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import type { OrganizationInvitationRecord } from "../store/records";
import { issuer } from "./session-token";

// Clerk's tickets are JWTs it signs, naming what they are for ("source type" and id) and expiring
// with it; the emulator signs them with its session-token key. A ticket is only as good as the
// invitation it names: revoking or accepting the invitation ends it too.
const SOURCE_TYPE = "organization_invitation";

export async function mintInvitationTicket(
  core: Core,
  invitation: OrganizationInvitationRecord,
): Promise<string> {
  return new SignJWT({
    iid: core.store.state.instanceId,
    st: SOURCE_TYPE,
    sid: invitation.id,
    oid: invitation.organizationId,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: core.signingKey.kid })
    .setIssuer(issuer(core))
    .setIssuedAt(Math.floor(invitation.createdAt / 1000))
    .setExpirationTime(Math.floor(invitation.expiresAt / 1000))
    .sign(core.signingKey.privateKey);
}

// The invitation a ticket names: ticket_expired_code past its expiry, ticket_invalid_code for
// anything that is not a ticket of this instance.
export async function readInvitationTicket(
  core: Core,
  ticket: string,
): Promise<{ invitationId: string; organizationId: string }> {
  try {
    const { payload } = await jwtVerify(ticket, core.signingKey.publicKey, {
      algorithms: ["RS256"],
      issuer: issuer(core),
      currentDate: new Date(core.now()),
    });
    const { iid, st, sid, oid } = payload;
    if (iid !== core.store.state.instanceId || st !== SOURCE_TYPE) throw errors.ticketInvalid();
    if (typeof sid !== "string" || typeof oid !== "string") throw errors.ticketInvalid();
    return { invitationId: sid, organizationId: oid };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw errors.ticketExpired();
    throw errors.ticketInvalid();
  }
}
