import { z } from "zod";
import type { Core } from "../core";
import {
  createInvitation,
  createInvitations,
  getInvitation,
  INVITATION_STATUSES,
  type InvitationInput,
  invitationPayload,
  invitationsOfUser,
  invitationWithOrganization,
  listInvitations,
  revokeInvitation,
} from "../domain/invitations";
import { getOrganization } from "../domain/organizations";
import { parseParams } from "../domain/params";
import { getUser } from "../domain/users";
import type { Router } from "../http/router";
import type { OrganizationInvitationRecord } from "../store/records";
import { ctxOf, json, metadataSchema, paginate, sortBy } from "./shared";

// A full URL or a path of the app, as Clerk takes it.
const redirectUrl = z
  .string()
  .refine(
    (v) => (v.startsWith("/") && !v.startsWith("//")) || /^https?:\/\/[^/]/.test(v),
    "must be an http(s) URL or a path starting with /",
  );

const InvitationBody = z
  .object({
    email_address: z.string(),
    role: z.string(),
    inviter_user_id: z.string().nullish(),
    public_metadata: metadataSchema.nullish(),
    private_metadata: metadataSchema.nullish(),
    redirect_url: redirectUrl.nullish(),
    expires_in_days: z.number().int().min(1).max(365).nullish(),
    notify: z.boolean().nullish(),
  })
  .strict();
const BulkBody = z.array(InvitationBody).min(1).max(10);
const RevokeBody = z.object({ requesting_user_id: z.string().nullish() }).strict();
const StatusFilter = z.object({ status: z.array(z.enum(INVITATION_STATUSES)) });

const toInput = (body: z.infer<typeof InvitationBody>): InvitationInput => ({
  emailAddress: body.email_address,
  role: body.role,
  inviterUserId: body.inviter_user_id,
  publicMetadata: body.public_metadata,
  privateMetadata: body.private_metadata,
  redirectUrl: body.redirect_url,
  expiresInDays: body.expires_in_days,
  notify: body.notify,
});

function filtered(core: Core, items: OrganizationInvitationRecord[], q: URLSearchParams) {
  const statuses = parseParams(StatusFilter, { status: q.getAll("status") }).status;
  const emails = q.getAll("email_address").map((e) => e.trim().toLowerCase());
  const text = q.get("query")?.trim().toLowerCase();
  const matching = listInvitations(core, items, statuses).filter(
    (inv) =>
      (!emails.length || emails.includes(inv.emailAddress)) &&
      (!text || inv.emailAddress.includes(text)),
  );
  const sorted = sortBy(matching, q.get("order_by"), "-created_at", {
    created_at: (inv) => inv.createdAt,
    email_address: (inv) => inv.emailAddress,
  });
  return paginate(sorted, q);
}

// Invitations created here link into the app at EMULATOR_AUTHORIZED_PARTY (the app's origin).
export function registerInvitationRoutes(router: Router, core: Core) {
  const ofOrganization = (id: string) => {
    const org = getOrganization(core, id);
    return Object.values(core.store.state.invitations).filter(
      (inv) => inv.organizationId === org.id,
    );
  };

  router
    .add("POST", "/v1/organizations/:id/invitations", async (req, p) => {
      const body = parseParams(InvitationBody, req.body);
      const org = getOrganization(core, p.id as string);
      const inv = await createInvitation(
        ctxOf(core, req),
        org.id,
        toInput(body),
        core.config.authorizedParty,
      );
      return json(invitationPayload(core, inv));
    })
    .add("POST", "/v1/organizations/:id/invitations/bulk", async (req, p) => {
      const body = parseParams(BulkBody, req.body);
      const org = getOrganization(core, p.id as string);
      const sent = await createInvitations(
        ctxOf(core, req),
        org.id,
        body.map(toInput),
        core.config.authorizedParty,
      );
      return json({
        data: sent.map((inv) => invitationPayload(core, inv)),
        total_count: sent.length,
      });
    })
    .add("GET", "/v1/organizations/:id/invitations", (req, p) => {
      const page = filtered(core, ofOrganization(p.id as string), req.query);
      return json({
        data: page.items.map((inv) => invitationPayload(core, inv)),
        total_count: page.totalCount,
      });
    })
    .add("GET", "/v1/organizations/:id/invitations/:invitationId", (_req, p) => {
      const org = getOrganization(core, p.id as string);
      return json(invitationPayload(core, getInvitation(core, org.id, p.invitationId as string)));
    })
    .add("POST", "/v1/organizations/:id/invitations/:invitationId/revoke", (req, p) => {
      const body = parseParams(RevokeBody, req.body);
      const org = getOrganization(core, p.id as string);
      const inv = revokeInvitation(
        ctxOf(core, req),
        getInvitation(core, org.id, p.invitationId as string),
        body.requesting_user_id,
      );
      return json(invitationPayload(core, inv));
    })
    .add("GET", "/v1/organization_invitations", (req) => {
      const page = filtered(core, Object.values(core.store.state.invitations), req.query);
      return json({
        data: page.items.map((inv) => invitationWithOrganization(core, inv)),
        total_count: page.totalCount,
      });
    })
    .add("GET", "/v1/users/:id/organization_invitations", (req, p) => {
      const user = getUser(core, p.id as string);
      const page = filtered(core, invitationsOfUser(core, user), req.query);
      return json({
        data: page.items.map((inv) => invitationWithOrganization(core, inv)),
        total_count: page.totalCount,
      });
    });
}
