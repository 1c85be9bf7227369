import type { Core, Ctx } from "../core";
import { newId } from "../store/ids";
import { emailDomainOf } from "../store/indexes";
import type {
  OrganizationDomainRecord,
  OrganizationInvitationRecord,
  OrganizationSuggestionRecord,
  UserRecord,
} from "../store/records";
import {
  createInvitations,
  invitationStatus,
  invitationsOfOrganization,
  invitationsOfUser,
  revokeInvitation,
} from "./invitations";
import { findMembership } from "./memberships";
import { isVerified, verifiedDomainNamed } from "./organization-domains";
import { domainSettings } from "./organization-settings";

// Who a verified domain brings in, as Clerk's enrollment modes say: people with a verified address
// at the domain get an invitation (automatic_invitation), which they accept from the organization
// switcher or list, or a suggestion (automatic_suggestion), which they accept to ask to join
// (membership-requests.ts). It happens when a domain becomes verified or changes mode (for
// everyone with an address there) and when a user gains a verified address (sign-up, a verified
// address added). Members are left alone, and so is anyone with a pending invitation or suggestion
// of that organization.

export function pendingOfDomain(
  core: Core,
  d: OrganizationDomainRecord,
): { invitations: OrganizationInvitationRecord[]; suggestions: OrganizationSuggestionRecord[] } {
  const now = core.now();
  return {
    invitations: invitationsOfOrganization(core, d.organizationId).filter(
      (inv) => inv.organizationDomainId === d.id && invitationStatus(inv, now) === "pending",
    ),
    suggestions: core.store
      .lookup("organizationSuggestions", "domain", d.id)
      .filter((s) => s.status === "pending"),
  };
}

// What <OrganizationProfile/>'s "Delete pending invitations and suggestions" does when a domain
// goes back to manual invitations.
export function forgetPendingOfDomain(ctx: Ctx, d: OrganizationDomainRecord): void {
  const pending = pendingOfDomain(ctx.core, d);
  for (const inv of pending.invitations) revokeInvitation(ctx, inv);
  for (const s of pending.suggestions) ctx.core.store.remove("organizationSuggestions", s.id);
}

const enrolling = (core: Core, d: OrganizationDomainRecord) =>
  domainSettings(core).enabled && isVerified(d) && d.enrollmentMode !== "manual_invitation";

// Everyone with a verified address at the domain.
export async function enrollDomainPeople(ctx: Ctx, d: OrganizationDomainRecord): Promise<void> {
  if (!enrolling(ctx.core, d)) return;
  for (const user of ctx.core.store.lookup("users", "verifiedEmailDomain", d.name)) {
    await enrollUserByDomain(ctx, d, user);
  }
}

// A user with a verified address (new, or newly verified): by each verified domain it matches.
export async function enrollUser(ctx: Ctx, user: UserRecord): Promise<void> {
  const names = new Set(
    user.emailAddresses.filter((e) => e.verified).map((e) => emailDomainOf(e.emailAddress)),
  );
  for (const name of names) {
    const d = verifiedDomainNamed(ctx.core, name);
    if (d && enrolling(ctx.core, d)) await enrollUserByDomain(ctx, d, user);
  }
}

async function enrollUserByDomain(ctx: Ctx, d: OrganizationDomainRecord, user: UserRecord) {
  const { core } = ctx;
  if (findMembership(core, d.organizationId, user.id)) return;
  const now = core.now();
  const invited = invitationsOfUser(core, user).some(
    (inv) => inv.organizationId === d.organizationId && invitationStatus(inv, now) === "pending",
  );
  const suggested = core.store
    .lookup("organizationSuggestions", "user", user.id)
    .some((s) => s.organizationId === d.organizationId && s.status === "pending");
  if (invited || suggested) return;
  if (d.enrollmentMode === "automatic_suggestion") {
    core.store.put("organizationSuggestions", {
      id: newId("orgsug"),
      organizationId: d.organizationId,
      organizationDomainId: d.id,
      userId: user.id,
      status: "pending",
      createdAt: now,
      updatedAt: now,
    });
    return;
  }
  // Shown in the user's organization switcher and list rather than emailed.
  const address = user.emailAddresses.find(
    (e) => e.verified && emailDomainOf(e.emailAddress) === d.name,
  );
  if (!address) return;
  await createInvitations(
    ctx,
    d.organizationId,
    [
      {
        emailAddress: address.emailAddress,
        role: domainSettings(core).defaultRole,
        notify: false,
        organizationDomainId: d.id,
      },
    ],
    core.config.authorizedParty,
  );
}
