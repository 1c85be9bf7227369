import { z } from "zod";
import type { Core } from "../core";
import { pendingInvitationsCount } from "../domain/invitations";
import {
  createMembership,
  getMembership,
  membershipPayload,
  removeMembership,
  updateMembership,
} from "../domain/memberships";
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  membersCount,
  updateOrganization,
} from "../domain/organizations";
import { parseParams } from "../domain/params";
import type { Router } from "../http/router";
import { organizationJSON } from "../json/bapi-json";
import type { MembershipRecord } from "../store/records";
import { ctxOf, json, metadataSchema, paginate, sortBy } from "./shared";

const CreateOrganizationBody = z
  .object({
    name: z.string().min(1).max(256),
    slug: z.string().max(64).optional(),
    created_by: z.string().optional(),
    max_allowed_memberships: z.number().int().min(0).optional(),
    public_metadata: metadataSchema.optional(),
    private_metadata: metadataSchema.optional(),
  })
  .strict();

const UpdateOrganizationBody = z
  .object({
    name: z.string().min(1).max(256).optional(),
    slug: z.string().max(64).optional(),
    max_allowed_memberships: z.number().int().min(0).optional(),
    admin_delete_enabled: z.boolean().optional(),
    public_metadata: metadataSchema.optional(),
    private_metadata: metadataSchema.optional(),
  })
  .strict();

const MetadataBody = z
  .object({
    public_metadata: metadataSchema.optional(),
    private_metadata: metadataSchema.optional(),
  })
  .strict();

const CreateMembershipBody = z.object({ user_id: z.string(), role: z.string() }).strict();
const UpdateMembershipBody = z.object({ role: z.string() }).strict();

function membershipList(core: Core, all: MembershipRecord[], q: URLSearchParams) {
  const { users } = core.store.state;
  const userIds = q.getAll("user_id");
  const roles = q.getAll("role");
  const emails = q.getAll("email_address").map((e) => e.toLowerCase());
  const text = q.get("query")?.toLowerCase();
  const filtered = all.filter((m) => {
    const user = users[m.userId];
    if (userIds.length && !userIds.includes(m.userId)) return false;
    if (roles.length && !roles.includes(m.role)) return false;
    if (emails.length && !user?.emailAddresses.some((e) => emails.includes(e.emailAddress))) {
      return false;
    }
    if (text) {
      const haystack = [
        user?.firstName,
        user?.lastName,
        user?.username,
        ...(user?.emailAddresses.map((e) => e.emailAddress) ?? []),
      ]
        .filter(Boolean)
        .join(" ")
        .toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  });
  const sorted = sortBy(filtered, q.get("order_by"), "-created_at", {
    created_at: (m) => m.createdAt,
    first_name: (m) => users[m.userId]?.firstName ?? null,
    last_name: (m) => users[m.userId]?.lastName ?? null,
    username: (m) => users[m.userId]?.username ?? null,
    email_address: (m) => users[m.userId]?.emailAddresses[0]?.emailAddress ?? null,
  });
  const page = paginate(sorted, q);
  return { data: page.items.map((m) => membershipPayload(core, m)), total_count: page.totalCount };
}

export function registerOrganizationRoutes(router: Router, core: Core) {
  const orgJSON = (id: string, withCount: boolean) => {
    const org = getOrganization(core, id);
    return organizationJSON(org, {
      members: withCount ? membersCount(core, org.id) : undefined,
      pendingInvitations: pendingInvitationsCount(core, org.id),
    });
  };

  router
    .add("GET", "/v1/organizations", (req) => {
      const q = req.query;
      const ids = q.getAll("organization_id");
      const text = q.get("query")?.toLowerCase();
      const withCount = q.get("include_members_count") === "true";
      const orgs = Object.values(core.store.state.organizations).filter(
        (o) =>
          (!ids.length || ids.includes(o.id)) &&
          (!text || `${o.id} ${o.name} ${o.slug}`.toLowerCase().includes(text)),
      );
      const sorted = sortBy(orgs, q.get("order_by"), "-created_at", {
        created_at: (o) => o.createdAt,
        name: (o) => o.name.toLowerCase(),
        members_count: (o) => membersCount(core, o.id),
      });
      const page = paginate(sorted, q);
      return json({
        data: page.items.map((o) => orgJSON(o.id, withCount)),
        total_count: page.totalCount,
      });
    })
    .add("POST", "/v1/organizations", (req) => {
      const body = parseParams(CreateOrganizationBody, req.body);
      const org = createOrganization(ctxOf(core, req), {
        name: body.name,
        slug: body.slug,
        createdBy: body.created_by,
        maxAllowedMemberships: body.max_allowed_memberships,
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
      });
      return json(orgJSON(org.id, false));
    })
    .add("GET", "/v1/organizations/:id", (req, p) =>
      json(orgJSON(p.id as string, req.query.get("include_members_count") === "true")),
    )
    .add("PATCH", "/v1/organizations/:id", (req, p) => {
      const body = parseParams(UpdateOrganizationBody, req.body);
      const org = updateOrganization(ctxOf(core, req), p.id as string, {
        name: body.name,
        slug: body.slug,
        maxAllowedMemberships: body.max_allowed_memberships,
        adminDeleteEnabled: body.admin_delete_enabled,
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
      });
      return json(orgJSON(org.id, false));
    })
    .add("PATCH", "/v1/organizations/:id/metadata", (req, p) => {
      const body = parseParams(MetadataBody, req.body);
      const org = updateOrganization(
        ctxOf(core, req),
        p.id as string,
        { publicMetadata: body.public_metadata, privateMetadata: body.private_metadata },
        "merge",
      );
      return json(orgJSON(org.id, false));
    })
    .add("PUT", "/v1/organizations/:id/metadata", (req, p) => {
      const body = parseParams(MetadataBody, req.body);
      const org = updateOrganization(ctxOf(core, req), p.id as string, {
        publicMetadata: body.public_metadata ?? {},
        privateMetadata: body.private_metadata ?? {},
      });
      return json(orgJSON(org.id, false));
    })
    .add("DELETE", "/v1/organizations/:id", (req, p) =>
      json(deleteOrganization(ctxOf(core, req), p.id as string)),
    )
    .add("GET", "/v1/organizations/:id/memberships", (req, p) => {
      const org = getOrganization(core, p.id as string);
      const all = Object.values(core.store.state.memberships).filter(
        (m) => m.organizationId === org.id,
      );
      return json(membershipList(core, all, req.query));
    })
    .add("POST", "/v1/organizations/:id/memberships", (req, p) => {
      const body = parseParams(CreateMembershipBody, req.body);
      const org = getOrganization(core, p.id as string);
      const m = createMembership(ctxOf(core, req), org.id, body.user_id, body.role);
      return json(membershipPayload(core, m));
    })
    .add("PATCH", "/v1/organizations/:id/memberships/:userId", (req, p) => {
      const body = parseParams(UpdateMembershipBody, req.body);
      const org = getOrganization(core, p.id as string);
      const m = getMembership(core, org.id, p.userId as string);
      return json(
        membershipPayload(core, updateMembership(ctxOf(core, req), m, { role: body.role })),
      );
    })
    .add("PATCH", "/v1/organizations/:id/memberships/:userId/metadata", (req, p) => {
      const body = parseParams(MetadataBody, req.body);
      const org = getOrganization(core, p.id as string);
      const m = getMembership(core, org.id, p.userId as string);
      const updated = updateMembership(ctxOf(core, req), m, {
        publicMetadata: body.public_metadata,
        privateMetadata: body.private_metadata,
      });
      return json(membershipPayload(core, updated));
    })
    .add("DELETE", "/v1/organizations/:id/memberships/:userId", (req, p) => {
      const org = getOrganization(core, p.id as string);
      const m = getMembership(core, org.id, p.userId as string);
      return json(removeMembership(ctxOf(core, req), m));
    })
    .add("GET", "/v1/organization_memberships", (req) => {
      const orgIds = req.query.getAll("organization_id");
      const all = Object.values(core.store.state.memberships).filter(
        (m) => !orgIds.length || orgIds.includes(m.organizationId),
      );
      return json(membershipList(core, all, req.query));
    });
}
