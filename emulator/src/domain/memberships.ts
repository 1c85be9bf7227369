import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { membershipJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import { membershipPairKey } from "../store/indexes";
import type { MembershipRecord, Metadata } from "../store/records";
import { pendingInvitationsCount } from "./invitations";
import { mergeMetadata } from "./metadata";
import { findRoleByKey, permissionKeysOf, roleByKey } from "./roles";

export function membershipPayload(core: Core, m: MembershipRecord) {
  const { state } = core.store;
  const org = state.organizations[m.organizationId];
  const user = state.users[m.userId];
  if (!org || !user) throw new Error(`membership ${m.id} points at a missing org or user`);
  return membershipJSON(
    m,
    org,
    pendingInvitationsCount(core, org.id),
    user,
    membershipRole(core, m.role),
  );
}

export function membershipRole(core: Core, roleKey: string) {
  return {
    name: findRoleByKey(core, roleKey)?.name ?? roleKey,
    permissions: permissionKeysOf(core, roleKey),
  };
}

export function findMembership(core: Core, organizationId: string, userId: string) {
  return core.store.lookup("memberships", "pair", membershipPairKey(organizationId, userId))[0];
}

export function membershipsOfOrganization(core: Core, organizationId: string) {
  return core.store.lookup("memberships", "organization", organizationId);
}

export function membershipsOfUser(core: Core, userId: string) {
  return core.store.lookup("memberships", "user", userId);
}

export function getMembership(
  core: Core,
  organizationId: string,
  userId: string,
): MembershipRecord {
  const m = findMembership(core, organizationId, userId);
  if (!m) throw errors.notFound("organization membership");
  return m;
}

export function createMembership(
  ctx: Ctx,
  organizationId: string,
  userId: string,
  role: string,
  // An accepted invitation's metadata moves to the membership, as in Clerk.
  metadata: { publicMetadata: Metadata; privateMetadata: Metadata } = {
    publicMetadata: {},
    privateMetadata: {},
  },
): MembershipRecord {
  const { core } = ctx;
  roleByKey(core, role);
  const org = core.store.state.organizations[organizationId];
  if (!org) throw errors.notFound("organization");
  if (!core.store.state.users[userId]) throw errors.notFound("user");
  if (findMembership(core, organizationId, userId)) {
    throw errors.duplicateRecord("organization membership");
  }
  const count = membershipsOfOrganization(core, organizationId).length;
  if (org.maxAllowedMemberships > 0 && count >= org.maxAllowedMemberships) {
    throw errors.membershipQuotaExceeded(org.maxAllowedMemberships);
  }
  const now = core.now();
  const membership: MembershipRecord = {
    id: newId("orgmem"),
    organizationId,
    userId,
    role,
    publicMetadata: metadata.publicMetadata,
    privateMetadata: metadata.privateMetadata,
    createdAt: now,
    updatedAt: now,
  };
  core.store.put("memberships", membership);
  core.webhooks.emit(ctx, "organizationMembership.created", membershipPayload(core, membership));
  return membership;
}

export function updateMembership(
  ctx: Ctx,
  m: MembershipRecord,
  change: { role?: string; publicMetadata?: Metadata; privateMetadata?: Metadata },
): MembershipRecord {
  const { core } = ctx;
  if (change.role !== undefined) {
    roleByKey(core, change.role);
    m.role = change.role;
  }
  if (change.publicMetadata)
    m.publicMetadata = mergeMetadata(m.publicMetadata, change.publicMetadata);
  if (change.privateMetadata) {
    m.privateMetadata = mergeMetadata(m.privateMetadata, change.privateMetadata);
  }
  m.updatedAt = Math.max(core.now(), m.updatedAt + 1);
  core.store.save();
  core.webhooks.emit(ctx, "organizationMembership.updated", membershipPayload(core, m));
  return m;
}

// The deleted event carries the whole membership, as Clerk's does; build it before removing.
export function removeMembership(ctx: Ctx, m: MembershipRecord) {
  const { core } = ctx;
  const payload = membershipPayload(core, m);
  core.store.remove("memberships", m.id);
  for (const s of core.store.lookup("sessions", "user", m.userId)) {
    if (s.lastActiveOrganizationId === m.organizationId) s.lastActiveOrganizationId = null;
  }
  core.webhooks.emit(ctx, "organizationMembership.deleted", payload);
  return payload;
}
