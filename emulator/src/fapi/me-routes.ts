import { z } from "zod";
import { pageOf } from "../bapi/shared";
import type { Core } from "../core";
import { activeSessionsOf } from "../domain/dev-browsers";
import { offeredSettings } from "../domain/instance-settings";
import { acceptInvitation, invitationsOfUser, listInvitations } from "../domain/invitations";
import { getMembership, membershipsOfUser, removeMembership } from "../domain/memberships";
import { parseParams } from "../domain/params";
import { normalizedUsername, updateUser } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import {
  fapiDeletedObjectJSON,
  fapiInvitationJSON,
  fapiMembershipJSON,
  fapiSessionJSON,
  fapiUserJSON,
  sessionActivityJSON,
} from "../json/fapi-json";
import { signedInUser } from "./context";
import { withClient } from "./envelope";

const UpdateMeBody = z.object({
  username: z.string().optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  primary_email_address_id: z.string().optional(),
});

export function paginated<T>(items: T[], req: RequestInfo) {
  const { limit, offset } = pageOf(req.query);
  return { data: items.slice(offset, offset + limit), total_count: items.length };
}

export function registerMeRoutes(router: Router, core: Core) {
  const me = (req: RequestInfo) => signedInUser(core, req);

  router
    .add(
      "GET",
      "/v1/me",
      (req) => {
        const { f, user } = me(req);
        return withClient(f, fapiUserJSON(core, user));
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/me",
      async (req) => {
        const { f, user } = me(req);
        const body = parseParams(UpdateMeBody, req.body);
        if (body.username !== undefined && !offeredSettings(core).identifiers.username.enabled) {
          throw errors.paramUnknown("username");
        }
        const updated = await updateUser(f, user.id, {
          username: body.username === undefined ? undefined : normalizedUsername(body.username),
          firstName: body.first_name,
          lastName: body.last_name,
          primaryEmailAddressId: body.primary_email_address_id,
        });
        return withClient(f, fapiUserJSON(core, updated));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/me/organization_memberships",
      (req) => {
        const { f, user } = me(req);
        const mine = membershipsOfUser(core, user.id)
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((m) => fapiMembershipJSON(core, m));
        return withClient(f, paginated(mine, req));
      },
      "frontend",
    )
    // Leaving an organization.
    .add(
      "DELETE",
      "/v1/me/organization_memberships/:orgId",
      (req, p) => {
        const { f, user } = me(req);
        const removed = removeMembership(f, getMembership(core, p.orgId as string, user.id));
        return withClient(f, fapiDeletedObjectJSON("organization_membership", removed.id));
      },
      "frontend",
    )
    // The invitations to the user's addresses, which <OrganizationSwitcher/> and
    // <OrganizationList/> offer to accept.
    .add(
      "GET",
      "/v1/me/organization_invitations",
      (req) => {
        const { f, user } = me(req);
        const listed = listInvitations(
          core,
          invitationsOfUser(core, user),
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
      "/v1/me/organization_invitations/:id/accept",
      (req, p) => {
        const { f, user } = me(req);
        const inv = invitationsOfUser(core, user).find((i) => i.id === p.id);
        if (!inv) throw errors.notFound("organization invitation");
        return withClient(f, fapiInvitationJSON(core, acceptInvitation(f, inv, user.id)));
      },
      "frontend",
    )
    // A bare array (Client.ActiveSessions), unlike the rest of /v1/me: clerk-js maps over it.
    .add(
      "GET",
      "/v1/me/sessions/active",
      (req) => {
        const { f, user } = me(req);
        const sessions = activeSessionsOf(core, f.client).filter((s) => s.userId === user.id);
        return {
          status: 200,
          json: sessions.map((s) => ({
            ...fapiSessionJSON(core, s, null),
            latest_activity: sessionActivityJSON(s),
          })),
        };
      },
      "frontend",
    );
}
