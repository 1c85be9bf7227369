import { CREATOR_ROLE } from "../../../clerk/organization-roles";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { deletedJSON, organizationJSON } from "../json/bapi-json";
import { newId, randomBase62 } from "../store/ids";
import type { Metadata, OrganizationRecord } from "../store/records";
import { deleteApiKeysOf } from "./api-keys";
import { currentPlanOf, deleteBillingOf, ensureSubscription } from "./billing";
import { invitationsOfOrganization, pendingInvitationsCount } from "./invitations";
import { forgetRequestsOf } from "./membership-requests";
import { createMembership, membershipsOfOrganization, removeMembership } from "./memberships";
import { mergeMetadata } from "./metadata";
import { deleteDomainsOf } from "./organization-domains";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export type CreateOrganizationInput = {
  name: string;
  slug?: string | undefined;
  createdBy?: string | undefined;
  maxAllowedMemberships?: number | undefined;
  publicMetadata?: Metadata | undefined;
  privateMetadata?: Metadata | undefined;
  id?: string | undefined;
};

export type UpdateOrganizationInput = {
  name?: string | undefined;
  slug?: string | undefined;
  maxAllowedMemberships?: number | undefined;
  adminDeleteEnabled?: boolean | undefined;
  publicMetadata?: Metadata | undefined;
  privateMetadata?: Metadata | undefined;
};

export function getOrganization(core: Core, idOrSlug: string): OrganizationRecord {
  const org =
    core.store.state.organizations[idOrSlug] ??
    core.store.lookup("organizations", "slug", idOrSlug)[0];
  if (!org) throw errors.notFound("organization");
  return org;
}

export function membersCount(core: Core, organizationId: string): number {
  return membershipsOfOrganization(core, organizationId).length;
}

function slugTaken(core: Core, slug: string, selfId?: string) {
  return core.store.lookup("organizations", "slug", slug).some((o) => o.id !== selfId);
}

function checkedSlug(core: Core, slug: string, selfId?: string): string {
  if (!SLUG.test(slug)) {
    throw errors.paramInvalid("slug", "may contain only lowercase letters, digits and hyphens");
  }
  if (slugTaken(core, slug, selfId)) throw errors.identifierExists("slug");
  return slug;
}

// Without an explicit slug, derive one from the name and make it unique with a short suffix.
function slugFromName(core: Core, name: string): string {
  const base =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 50) || "org";
  let slug = base;
  while (slugTaken(core, slug)) slug = `${base}-${randomBase62(6).toLowerCase()}`;
  return slug;
}

export function createOrganization(ctx: Ctx, input: CreateOrganizationInput): OrganizationRecord {
  const { core } = ctx;
  const name = input.name.trim();
  if (!name) throw errors.paramMissing("name");
  const slug = input.slug ? checkedSlug(core, input.slug) : slugFromName(core, name);
  if (input.createdBy && !core.store.state.users[input.createdBy]) throw errors.notFound("user");
  if (input.id && core.store.state.organizations[input.id]) {
    throw errors.duplicateRecord("organization");
  }
  const now = core.now();
  const org: OrganizationRecord = {
    id: input.id ?? newId("org"),
    name,
    slug,
    publicMetadata: input.publicMetadata ?? {},
    privateMetadata: input.privateMetadata ?? {},
    // The default plan's seats unless the caller sets a limit (Clerk Billing sets it per plan).
    maxAllowedMemberships: input.maxAllowedMemberships ?? currentPlanOf(core, "").seats,
    adminDeleteEnabled: true,
    createdBy: input.createdBy ?? null,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("organizations", org);
  core.webhooks.emit(
    ctx,
    "organization.created",
    organizationJSON(org, { members: 0, pendingInvitations: 0 }),
  );
  // As in Clerk, the creator becomes the organization's first admin.
  if (input.createdBy) createMembership(ctx, org.id, input.createdBy, CREATOR_ROLE);
  // Every organization is a payer on the default plan from the start.
  ensureSubscription(ctx, org.id, input.createdBy ?? null);
  return org;
}

export function updateOrganization(
  ctx: Ctx,
  idOrSlug: string,
  input: UpdateOrganizationInput,
  metadataMode: "merge" | "replace" = "replace",
): OrganizationRecord {
  const { core } = ctx;
  const org = getOrganization(core, idOrSlug);
  const slug = input.slug === undefined ? org.slug : checkedSlug(core, input.slug, org.id);
  if (input.name !== undefined) {
    if (!input.name.trim()) throw errors.paramInvalid("name", "must not be blank");
    org.name = input.name.trim();
  }
  if (input.maxAllowedMemberships !== undefined) {
    org.maxAllowedMemberships = input.maxAllowedMemberships;
  }
  if (input.adminDeleteEnabled !== undefined) org.adminDeleteEnabled = input.adminDeleteEnabled;
  const apply = (current: Metadata, next: Metadata | undefined) =>
    next === undefined ? current : metadataMode === "merge" ? mergeMetadata(current, next) : next;
  org.publicMetadata = apply(org.publicMetadata, input.publicMetadata);
  org.privateMetadata = apply(org.privateMetadata, input.privateMetadata);
  org.updatedAt = Math.max(core.now(), org.updatedAt + 1);
  core.store.update("organizations", org, { slug });
  core.webhooks.emit(
    ctx,
    "organization.updated",
    organizationJSON(org, {
      members: membersCount(core, org.id),
      pendingInvitations: pendingInvitationsCount(core, org.id),
    }),
  );
  return org;
}

export function deleteOrganization(ctx: Ctx, idOrSlug: string) {
  const { core } = ctx;
  const org = getOrganization(core, idOrSlug);
  for (const m of membershipsOfOrganization(core, org.id)) removeMembership(ctx, m);
  deleteApiKeysOf(core, org.id);
  deleteDomainsOf(ctx, org.id);
  forgetRequestsOf(core, "organization", org.id);
  deleteBillingOf(core, org.id);
  // Its invitations go with it; their links then answer that the organization is gone.
  for (const inv of invitationsOfOrganization(core, org.id))
    core.store.remove("invitations", inv.id);
  core.store.remove("organizations", org.id);
  const deleted = deletedJSON("organization", org.id, { slug: org.slug });
  core.webhooks.emit(ctx, "organization.deleted", deleted);
  return deleted;
}

// A plan change moves the organization's member limit to the plan's seats (billing.ts calls this).
export function syncSeats(ctx: Ctx, orgId: string, seats: number) {
  const org = ctx.core.store.state.organizations[orgId];
  if (org && org.maxAllowedMemberships !== seats) {
    updateOrganization(ctx, org.id, { maxAllowedMemberships: seats });
  }
}
