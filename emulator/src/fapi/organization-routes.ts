import { z } from "zod";
import type { Core } from "../core";
import {
  createInvitation,
  createInvitations,
  getInvitation,
  invitationsOfOrganization,
  listInvitations,
  MANAGE_MEMBERS,
  revokeInvitation,
} from "../domain/invitations";
import {
  findMembership,
  getMembership,
  membershipsOfOrganization,
  removeMembership,
  updateMembership,
} from "../domain/memberships";
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  updateOrganization,
} from "../domain/organizations";
import { parseParams } from "../domain/params";
import { permissionKeysOf } from "../domain/roles";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import {
  fapiDeletedObjectJSON,
  fapiInvitationJSON,
  fapiMembershipJSON,
  fapiOrganizationJSON,
  fapiRolesList,
} from "../json/fapi-json";
import { currentSession, type FapiCtx, fapiCtx } from "./context";
import { withClient } from "./envelope";
import { paginated } from "./me-routes";

const CreateBody = z.object({
  name: z.string().min(1).max(256),
  slug: z.string().max(64).optional(),
});
const UpdateBody = z.object({
  name: z.string().min(1).max(256).optional(),
  slug: z.string().max(64).optional(),
});
const RoleBody = z.object({ role: z.string() });
const notify = z
  .enum(["true", "false"])
  .optional()
  .transform((v) => v !== "false");
const InviteBody = z.object({ email_address: z.string(), role: z.string(), notify });
// clerk-js sends the addresses as one form field each.
const BulkInviteBody = z.object({
  email_address: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string()).min(1).max(10)),
  role: z.string(),
  notify,
});

// The Frontend API acts as the signed-in user: what they may do in an organization is what their
// role's permissions say. A non-member sees no organization at all.
export function authorizeMember(f: FapiCtx, req: RequestInfo, orgId: string, permission?: string) {
  const session = currentSession(f, req);
  const org = getOrganization(f.core, orgId);
  const membership = findMembership(f.core, org.id, session.userId);
  if (!membership) throw errors.notFound("organization");
  if (permission && !permissionKeysOf(f.core, membership.role).includes(permission)) {
    throw errors.notAllowed(`This needs the ${permission} permission.`);
  }
  return { session, org, membership };
}

export function registerFapiOrganizationRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/organizations",
      (req) => {
        const f = fapiCtx(core, req);
        const session = currentSession(f, req);
        const body = parseParams(CreateBody, req.body);
        const org = createOrganization(f, {
          name: body.name,
          slug: body.slug || undefined,
          createdBy: session.userId,
        });
        return withClient(f, fapiOrganizationJSON(core, org));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id",
      (req, p) => {
        const f = fapiCtx(core, req);
        return withClient(
          f,
          fapiOrganizationJSON(core, authorizeMember(f, req, p.id as string).org),
        );
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/organizations/:id",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, "org:sys_profile:manage");
        const body = parseParams(UpdateBody, req.body);
        const updated = updateOrganization(f, org.id, {
          name: body.name,
          slug: body.slug || undefined,
        });
        return withClient(f, fapiOrganizationJSON(core, updated));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/organizations/:id",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, "org:sys_profile:delete");
        deleteOrganization(f, org.id);
        return withClient(f, fapiDeletedObjectJSON("organization", org.id));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/memberships",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, "org:sys_memberships:read");
        const roles = req.query.getAll("role");
        const members = membershipsOfOrganization(core, org.id)
          .filter((m) => !roles.length || roles.includes(m.role))
          .sort((a, b) => a.createdAt - b.createdAt)
          .map((m) => fapiMembershipJSON(core, m));
        return withClient(f, paginated(members, req));
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/organizations/:id/memberships/:userId",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, "org:sys_memberships:manage");
        const body = parseParams(RoleBody, req.body);
        const m = updateMembership(f, getMembership(core, org.id, p.userId as string), {
          role: body.role,
        });
        return withClient(f, fapiMembershipJSON(core, m));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/organizations/:id/memberships/:userId",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, "org:sys_memberships:manage");
        const m = getMembership(core, org.id, p.userId as string);
        const payload = fapiMembershipJSON(core, m);
        removeMembership(f, m);
        return withClient(f, payload);
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/roles",
      (req, p) => {
        const f = fapiCtx(core, req);
        authorizeMember(f, req, p.id as string);
        const roles = fapiRolesList(core);
        return withClient(f, { data: roles, total_count: roles.length });
      },
      "frontend",
    )
    // Invitations are sent by the signed-in member, into the app the browser is on.
    .add(
      "POST",
      "/v1/organizations/:id/invitations",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const { org, session } = authorizeMember(f, req, p.id as string, MANAGE_MEMBERS);
        const body = parseParams(InviteBody, req.body);
        const inv = await createInvitation(
          f,
          org.id,
          {
            emailAddress: body.email_address,
            role: body.role,
            notify: body.notify,
            inviterUserId: session.userId,
          },
          f.appOrigin,
        );
        return withClient(f, fapiInvitationJSON(core, inv));
      },
      "frontend",
    )
    // <OrganizationProfile/>'s Invite sends this; the answer is a bare array.
    .add(
      "POST",
      "/v1/organizations/:id/invitations/bulk",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const { org, session } = authorizeMember(f, req, p.id as string, MANAGE_MEMBERS);
        const body = parseParams(BulkInviteBody, req.body);
        const sent = await createInvitations(
          f,
          org.id,
          body.email_address.map((emailAddress) => ({
            emailAddress,
            role: body.role,
            notify: body.notify,
            inviterUserId: session.userId,
          })),
          f.appOrigin,
        );
        return withClient(
          f,
          sent.map((inv) => fapiInvitationJSON(core, inv)),
        );
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/organizations/:id/invitations",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, MANAGE_MEMBERS);
        const listed = listInvitations(
          core,
          invitationsOfOrganization(core, org.id),
          req.query.getAll("status"),
        );
        return withClient(
          f,
          paginated(
            listed.map((inv) => fapiInvitationJSON(core, inv)),
            req,
          ),
        );
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/organizations/:id/invitations/:invitationId/revoke",
      (req, p) => {
        const f = fapiCtx(core, req);
        const { org } = authorizeMember(f, req, p.id as string, MANAGE_MEMBERS);
        const inv = revokeInvitation(f, getInvitation(core, org.id, p.invitationId as string));
        return withClient(f, fapiInvitationJSON(core, inv));
      },
      "frontend",
    );
}
