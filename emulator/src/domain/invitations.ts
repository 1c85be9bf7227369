import { z } from "zod";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import {
  organizationInvitationJSON,
  publicOrganizationDataJSON,
  publicUserDataJSON,
} from "../json/bapi-json";
import { SIGN_IN_PATH, SIGN_UP_PATH } from "../json/environment";
import { newId } from "../store/ids";
import type { Metadata, OrganizationInvitationRecord, UserRecord } from "../store/records";
import { mintInvitationTicket, type TicketSource } from "../tokens/ticket";
import { deliverEmail } from "./mailbox";
import {
  createMembership,
  findMembership,
  membershipRole,
  membershipsOfOrganization,
} from "./memberships";
import { getOrganization } from "./organizations";
import { permissionKeysOf, roleByKey } from "./roles";
import { findUserByEmail } from "./users";

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRY_DAYS = 30;
const Email = z.email();

export const INVITATION_STATUSES = ["pending", "accepted", "revoked", "expired"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export function invitationStatus(inv: OrganizationInvitationRecord, now: number): InvitationStatus {
  return inv.status === "pending" && inv.expiresAt <= now ? "expired" : inv.status;
}

export function invitationsOfOrganization(core: Core, organizationId: string) {
  return core.store.lookup("invitations", "organization", organizationId);
}

export function pendingInvitationsCount(core: Core, organizationId: string): number {
  const now = core.now();
  return invitationsOfOrganization(core, organizationId).filter(
    (inv) => invitationStatus(inv, now) === "pending",
  ).length;
}

export function getInvitation(core: Core, organizationId: string, invitationId: string) {
  const inv = core.store.state.invitations[invitationId];
  if (!inv || inv.organizationId !== organizationId)
    throw errors.notFound("organization invitation");
  return inv;
}

// The Backend API's invitation, also the webhooks' `data`.
export function invitationPayload(core: Core, inv: OrganizationInvitationRecord) {
  const inviter = inv.inviterUserId ? core.store.state.users[inv.inviterUserId] : undefined;
  return organizationInvitationJSON(
    inv,
    invitationStatus(inv, core.now()),
    membershipRole(core, inv.role).name,
    inviter,
  );
}

export function invitationWithOrganization(core: Core, inv: OrganizationInvitationRecord) {
  const org = getOrganization(core, inv.organizationId);
  return {
    ...invitationPayload(core, inv),
    public_organization_data: publicOrganizationDataJSON(org),
  };
}

// organizationInvitation.* webhooks nest the organization under `data`, as the webhook spec says.
function emitInvitationEvent(
  ctx: Ctx,
  type: "created" | "accepted" | "revoked",
  inv: OrganizationInvitationRecord,
) {
  const org = getOrganization(ctx.core, inv.organizationId);
  ctx.core.webhooks.emit(ctx, `organizationInvitation.${type}`, {
    ...invitationPayload(ctx.core, inv),
    ...(type === "accepted" ? { user_id: inv.userId } : {}),
    data: { public_organization_data: publicOrganizationDataJSON(org) },
  });
}

// Who may invite and revoke: members holding Clerk's "manage members" system permission.
export const MANAGE_MEMBERS = "org:sys_memberships:manage";

export function assertMayManageMembers(core: Core, organizationId: string, userId: string) {
  const membership = findMembership(core, organizationId, userId);
  if (!membership || !permissionKeysOf(core, membership.role).includes(MANAGE_MEMBERS)) {
    throw errors.notAnAdmin(userId);
  }
}

// Where the invitee lands, as Clerk's /v1/tickets/accept would send them when they click: the
// invitation's redirect_url (told whether to sign in or up), else the app's sign-in page for an
// address with an account and its sign-up page for a new one. The emulator decides when it sends
// the email rather than on the click, so the link goes straight to the app.
function acceptLink(
  appOrigin: string,
  ticket: string,
  hasAccount: boolean,
  redirectUrl: string | null,
): string {
  const url = new URL(redirectUrl ?? (hasAccount ? SIGN_IN_PATH : SIGN_UP_PATH), appOrigin);
  url.searchParams.set("__clerk_ticket", ticket);
  if (redirectUrl) url.searchParams.set("__clerk_status", hasAccount ? "sign_in" : "sign_up");
  return url.toString();
}

function displayName(user: UserRecord | undefined): string {
  if (!user) return "Someone";
  const name = [user.firstName, user.lastName].filter(Boolean).join(" ");
  return name || publicUserDataJSON(user).identifier;
}

export type InvitationInput = {
  emailAddress: string;
  role: string;
  inviterUserId?: string | null | undefined;
  publicMetadata?: Metadata | null | undefined;
  privateMetadata?: Metadata | null | undefined;
  redirectUrl?: string | null | undefined;
  expiresInDays?: number | null | undefined;
  notify?: boolean | null | undefined;
  // A verified domain's automatic invitation (domain-enrollment.ts).
  organizationDomainId?: string | undefined;
};

// Creates and "emails" invitations, all or none: every input is checked before any is created.
// An address with a pending invitation gets that one again (its role and metadata updated, the
// email resent), as Clerk does. `appOrigin` is the app the accept link points into.
export async function createInvitations(
  ctx: Ctx,
  organizationId: string,
  inputs: InvitationInput[],
  appOrigin: string,
): Promise<OrganizationInvitationRecord[]> {
  const { core } = ctx;
  const org = getOrganization(core, organizationId);
  const now = core.now();
  // Tickets are signed first: nothing may await between the checks below and the writes.
  const drafts = await Promise.all(
    inputs.map(async (input) => {
      const expiresAt = now + (input.expiresInDays ?? DEFAULT_EXPIRY_DAYS) * DAY_MS;
      const draft: OrganizationInvitationRecord = {
        id: newId("orginv"),
        organizationId: org.id,
        emailAddress: input.emailAddress.trim().toLowerCase(),
        role: input.role,
        status: "pending",
        inviterUserId: input.inviterUserId ?? null,
        userId: null,
        publicMetadata: input.publicMetadata ?? {},
        privateMetadata: input.privateMetadata ?? {},
        redirectUrl: input.redirectUrl ?? null,
        ...(input.organizationDomainId ? { organizationDomainId: input.organizationDomainId } : {}),
        acceptLink: "",
        expiresAt,
        createdAt: now,
        updatedAt: now,
      };
      return {
        draft,
        ticket: await mintInvitationTicket(core, draft),
        notify: input.notify ?? true,
      };
    }),
  );

  for (const { draft } of drafts) {
    if (!Email.safeParse(draft.emailAddress).success) {
      throw errors.paramInvalid("email_address", "must be a valid email address");
    }
    roleByKey(core, draft.role);
    if (draft.inviterUserId) assertMayManageMembers(core, org.id, draft.inviterUserId);
    const existing = findUserByEmail(core, draft.emailAddress);
    if (existing && findMembership(core, org.id, existing.id)) {
      throw errors.alreadyAMember(draft.emailAddress);
    }
  }

  // Members and pending invitations together may not pass the limit; a resent invitation
  // takes no new seat.
  if (org.maxAllowedMemberships > 0) {
    const pending = invitationsOfOrganization(core, org.id).filter(
      (inv) => invitationStatus(inv, now) === "pending",
    );
    const fresh = new Set(
      drafts
        .map(({ draft }) => draft.emailAddress)
        .filter((address) => !pending.some((inv) => inv.emailAddress === address)),
    );
    const seats = membershipsOfOrganization(core, org.id).length + pending.length + fresh.size;
    if (seats > org.maxAllowedMemberships) {
      throw errors.membershipQuotaExceeded(org.maxAllowedMemberships);
    }
  }

  const sent: OrganizationInvitationRecord[] = [];
  for (const { draft, ticket, notify } of drafts) {
    const account = findUserByEmail(core, draft.emailAddress);
    const pending = invitationsOfOrganization(core, org.id).find(
      (inv) => inv.emailAddress === draft.emailAddress && invitationStatus(inv, now) === "pending",
    );
    let inv: OrganizationInvitationRecord;
    if (pending) {
      Object.assign(pending, {
        role: draft.role,
        publicMetadata: draft.publicMetadata,
        privateMetadata: draft.privateMetadata,
        updatedAt: Math.max(now, pending.updatedAt + 1),
      });
      inv = pending;
    } else {
      inv = {
        ...draft,
        userId: account?.id ?? null,
        acceptLink: acceptLink(appOrigin, ticket, account !== undefined, draft.redirectUrl),
      };
    }
    core.store.put("invitations", inv);
    if (!pending) emitInvitationEvent(ctx, "created", inv);
    if (notify) {
      const inviter = inv.inviterUserId ? core.store.state.users[inv.inviterUserId] : undefined;
      deliverEmail(core, {
        to: inv.emailAddress,
        subject: `${displayName(inviter)} invited you to join ${org.name}`,
        link: inv.acceptLink,
      });
      core.store.save();
    }
    sent.push(inv);
  }
  return sent;
}

export async function createInvitation(
  ctx: Ctx,
  organizationId: string,
  input: InvitationInput,
  appOrigin: string,
): Promise<OrganizationInvitationRecord> {
  const [inv] = await createInvitations(ctx, organizationId, [input], appOrigin);
  if (!inv) throw new Error("createInvitations returned no invitation for one input");
  return inv;
}

export function revokeInvitation(
  ctx: Ctx,
  inv: OrganizationInvitationRecord,
  requestingUserId?: string | null,
): OrganizationInvitationRecord {
  const { core } = ctx;
  if (requestingUserId) assertMayManageMembers(core, inv.organizationId, requestingUserId);
  if (invitationStatus(inv, core.now()) !== "pending") throw errors.invitationNotPending();
  inv.status = "revoked";
  inv.updatedAt = Math.max(core.now(), inv.updatedAt + 1);
  core.store.save();
  emitInvitationEvent(ctx, "revoked", inv);
  return inv;
}

// Joins the invitee to the organization with the invited role (an existing membership stays as
// it is) and marks the invitation accepted.
export function acceptInvitation(
  ctx: Ctx,
  inv: OrganizationInvitationRecord,
  userId: string,
): OrganizationInvitationRecord {
  const { core } = ctx;
  if (invitationStatus(inv, core.now()) !== "pending") throw errors.invitationNotPending();
  if (!findMembership(core, inv.organizationId, userId)) {
    createMembership(ctx, inv.organizationId, userId, inv.role, {
      publicMetadata: inv.publicMetadata,
      privateMetadata: inv.privateMetadata,
    });
  }
  core.store.update("invitations", inv, {
    status: "accepted",
    userId,
    updatedAt: Math.max(core.now(), inv.updatedAt + 1),
  });
  emitInvitationEvent(ctx, "accepted", inv);
  return inv;
}

// The still usable invitation a ticket (`__clerk_ticket`) names, as sign-in and sign-up take it.
export function invitationForTicket(
  core: Core,
  source: Extract<TicketSource, { type: "organization_invitation" }>,
): OrganizationInvitationRecord {
  const { invitationId, organizationId } = source;
  if (!core.store.state.organizations[organizationId]) {
    throw errors.invitationToDeletedOrganization();
  }
  const inv = core.store.state.invitations[invitationId];
  if (!inv) throw errors.ticketInvalid();
  assertTicketUsable(core, inv);
  return inv;
}

// What a sign-in or sign-up with the invitation's ticket answers once it is no longer pending.
export function assertTicketUsable(core: Core, inv: OrganizationInvitationRecord): void {
  const status = invitationStatus(inv, core.now());
  if (status === "revoked") throw errors.invitationRevoked();
  if (status === "accepted") throw errors.invitationAlreadyAccepted();
  if (status === "expired") throw errors.ticketExpired();
}

// Newest first, with the given statuses (all without any).
export function listInvitations(
  core: Core,
  invitations: OrganizationInvitationRecord[],
  statuses: readonly string[],
): OrganizationInvitationRecord[] {
  const now = core.now();
  return invitations
    .filter((inv) => statuses.length === 0 || statuses.includes(invitationStatus(inv, now)))
    .sort((a, b) => b.createdAt - a.createdAt);
}

// A user's invitations: those to any of their verified addresses.
export function invitationsOfUser(core: Core, user: UserRecord): OrganizationInvitationRecord[] {
  const addresses = new Set(
    user.emailAddresses.filter((e) => e.verified).map((e) => e.emailAddress),
  );
  const found = new Set(core.store.lookup("invitations", "user", user.id));
  for (const address of addresses) {
    for (const inv of core.store.lookup("invitations", "email", address)) found.add(inv);
  }
  return [...found];
}
