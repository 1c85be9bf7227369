import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, type WireJson } from "../../support/fapi-browser";
import { mailbox as mailboxOf } from "../../support/mailbox";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Organization invitations through the real @clerk/backend (every body held to the BAPI spec by
// contract-setup.ts) and through the Frontend API as clerk-js speaks it (held to the FAPI spec).
const APP = "http://localhost:3000";
const PASSWORD = "long-enough-pw-1";
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({
    env: { EMULATOR_WEBHOOK_URL: receiver.url, EMULATOR_AUTHORIZED_PARTY: APP },
  });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const address = (label: string) => `${unique(label)}@example.com`;

async function organizationWithAdmin(label = "team") {
  const admin = await clerk.users.createUser({
    emailAddress: [address(`${label}-admin`)],
    password: PASSWORD,
    firstName: "Ada",
    lastName: "Admin",
  });
  const org = await clerk.organizations.createOrganization({
    name: `Org ${label}`,
    createdBy: admin.id,
  });
  return { admin, org };
}

const mailbox = (to: string) => mailboxOf(emulator.url, to);

async function inviteLink(to: string) {
  const link = (await mailbox(to)).at(-1)?.link;
  if (!link) throw new Error(`no invitation in ${to}'s mailbox`);
  return new URL(link);
}

const ticketOf = (link: URL) => link.searchParams.get("__clerk_ticket") ?? "";

async function signedIn(email: string): Promise<{ browser: FapiBrowser; sessionId: string }> {
  const browser = await fapiBrowser(emulator.frontendUrl, APP);
  const res = await browser.call("POST", "/v1/client/sign_ins", {
    identifier: email,
    password: PASSWORD,
  });
  expect(res.body.response.status).toBe("complete");
  return { browser, sessionId: res.body.response.created_session_id };
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (err: { status: number; errors: { code: string; longMessage?: string }[] }) => ({
      status: err.status,
      code: err.errors[0]?.code,
      message: err.errors[0]?.longMessage,
    }),
  );

describe("Backend API: organization invitations", () => {
  it("sends an invitation to the mailbox with a sign-up link carrying its ticket; gets, lists and revokes it", async () => {
    const { admin, org } = await organizationWithAdmin("bapi");
    const email = address("newcomer");
    const invitation = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:viewer",
      inviterUserId: admin.id,
      publicMetadata: { team: "design" },
      privateMetadata: { source: "tests" },
    });
    expect(invitation).toMatchObject({
      emailAddress: email,
      role: "org:viewer",
      roleName: "Viewer",
      status: "pending",
      organizationId: org.id,
      publicMetadata: { team: "design" },
      privateMetadata: { source: "tests" },
    });
    expect(invitation.expiresAt - invitation.createdAt).toBe(30 * 24 * 60 * 60 * 1000);

    const [mail] = await mailbox(email);
    expect(mail?.subject).toBe(`Ada Admin invited you to join Org bapi`);
    expect(mail?.code).toBeNull();
    const link = new URL(mail?.link ?? "");
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/sign-up`);
    expect(ticketOf(link)).toMatch(/^eyJ/);
    expect(invitation.url).toBe(link.toString());

    const got = await clerk.organizations.getOrganizationInvitation({
      organizationId: org.id,
      invitationId: invitation.id,
    });
    expect(got.id).toBe(invitation.id);
    const pending = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
      status: ["pending"],
    });
    expect(pending.data.map((i) => i.id)).toEqual([invitation.id]);
    const counted = await clerk.organizations.getOrganization({ organizationId: org.id });
    expect(counted.raw?.pending_invitations_count).toBe(1);

    const revoked = await clerk.organizations.revokeOrganizationInvitation({
      organizationId: org.id,
      invitationId: invitation.id,
      requestingUserId: admin.id,
    });
    expect(revoked.status).toBe("revoked");
    const after = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
      status: ["pending"],
    });
    expect(after.totalCount).toBe(0);
    expect(
      await rejection(
        clerk.organizations.revokeOrganizationInvitation({
          organizationId: org.id,
          invitationId: invitation.id,
        }),
      ),
    ).toMatchObject({ status: 404, code: "organization_invitation_not_pending" });
  });

  it("links an existing user to the sign-in page, a redirect_url with __clerk_status; bulk creates several", async () => {
    const { org } = await organizationWithAdmin("links");
    const existing = await clerk.users.createUser({ emailAddress: [address("known")] });
    const existingEmail = existing.emailAddresses[0]?.emailAddress ?? "";
    const fresh = address("fresh");
    const custom = address("custom");
    const bulk = await clerk.organizations.createOrganizationInvitationBulk(org.id, [
      { emailAddress: existingEmail, role: "org:member" },
      { emailAddress: fresh, role: "org:admin", expiresInDays: 7 },
      { emailAddress: custom, role: "org:member", redirectUrl: "/welcome?step=1" },
    ]);
    expect(bulk.totalCount).toBe(3);
    expect(bulk.data.map((i) => [i.emailAddress, i.role])).toEqual([
      [existingEmail, "org:member"],
      [fresh, "org:admin"],
      [custom, "org:member"],
    ]);
    expect(bulk.data[1]?.expiresAt).toBe((bulk.data[1]?.createdAt ?? 0) + 7 * 24 * 3_600_000);

    const known = await inviteLink(existingEmail);
    expect(`${known.origin}${known.pathname}`).toBe(`${APP}/sign-in`);
    expect(known.searchParams.has("__clerk_status")).toBe(false);
    const redirected = await inviteLink(custom);
    expect(`${redirected.origin}${redirected.pathname}`).toBe(`${APP}/welcome`);
    expect(redirected.searchParams.get("step")).toBe("1");
    expect(redirected.searchParams.get("__clerk_status")).toBe("sign_up");
    expect(ticketOf(redirected)).toMatch(/^eyJ/);
  });

  it("refuses an existing member, an unknown role, an inviter who may not manage members and a bad address", async () => {
    const { admin, org } = await organizationWithAdmin("refusals");
    const member = await clerk.users.createUser({ emailAddress: [address("member")] });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:member",
    });
    const memberEmail = member.emailAddresses[0]?.emailAddress ?? "";
    const invite = (params: { emailAddress: string; role: string; inviterUserId?: string }) =>
      rejection(
        clerk.organizations.createOrganizationInvitation({ organizationId: org.id, ...params }),
      );

    expect(await invite({ emailAddress: memberEmail, role: "org:member" })).toEqual({
      status: 400,
      code: "already_a_member_in_organization",
      message: `${memberEmail} is already a member of the organization.`,
    });
    expect(await invite({ emailAddress: address("x"), role: "org:owner" })).toMatchObject({
      status: 404,
      code: "resource_not_found",
    });
    expect(
      await invite({ emailAddress: address("y"), role: "org:member", inviterUserId: member.id }),
    ).toMatchObject({ status: 403, code: "not_an_admin_in_organization" });
    expect(await invite({ emailAddress: "not an address", role: "org:member" })).toMatchObject({
      status: 422,
      code: "form_param_format_invalid",
    });
    // Nothing of a refused bulk request is created.
    expect(
      await rejection(
        clerk.organizations.createOrganizationInvitationBulk(org.id, [
          { emailAddress: address("ok"), role: "org:member" },
          { emailAddress: memberEmail, role: "org:member" },
        ]),
      ),
    ).toMatchObject({ status: 400, code: "already_a_member_in_organization" });
    const list = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
    });
    expect(list.totalCount).toBe(0);

    // Inviting a pending address again resends the same invitation, with the new role.
    const email = address("twice");
    const first = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:member",
      inviterUserId: admin.id,
    });
    const second = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:viewer",
    });
    expect(second).toMatchObject({ id: first.id, role: "org:viewer", url: first.url });
    expect(await mailbox(email)).toHaveLength(2);
  });

  it("lists the instance's and a user's invitations with their organization", async () => {
    const { org } = await organizationWithAdmin("lists");
    const user = await clerk.users.createUser({ emailAddress: [address("listed")] });
    const email = user.emailAddresses[0]?.emailAddress ?? "";
    const invitation = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:member",
    });
    const mine = await clerk.users.getOrganizationInvitationList({ userId: user.id });
    expect(mine.data.map((i) => i.id)).toEqual([invitation.id]);
    expect(mine.data[0]?.publicOrganizationData).toMatchObject({ id: org.id, slug: org.slug });

    const res = await fetch(
      `${emulator.url}/v1/organization_invitations?status=pending&query=${encodeURIComponent(email)}`,
      { headers: { authorization: `Bearer ${TEST_SECRET_KEY}` } },
    );
    const all = (await res.json()) as WireJson;
    expect(all.total_count).toBe(1);
    expect(all.data[0]).toMatchObject({
      id: invitation.id,
      public_organization_data: { id: org.id, name: org.name },
    });
    const bad = await fetch(`${emulator.url}/v1/organization_invitations?status=lost`, {
      headers: { authorization: `Bearer ${TEST_SECRET_KEY}` },
    });
    expect(bad.status).toBe(422);
  });
});

describe("Frontend API: invitations from <OrganizationProfile/> and accepting them", () => {
  it("an admin invites two addresses at once; one invitee signs up with the ticket and a password only and lands in the organization", async () => {
    const { admin, org } = await organizationWithAdmin("ui");
    const adminEmail = admin.emailAddresses[0]?.emailAddress ?? "";
    const { browser: adminBrowser, sessionId } = await signedIn(adminEmail);
    const invitee = address("invitee");
    const other = address("other");
    const sent = await adminBrowser.call(
      "POST",
      `/v1/organizations/${org.id}/invitations/bulk?_clerk_session_id=${sessionId}`,
      { email_address: [invitee, other], role: "org:viewer" },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.response.map((i: WireJson) => [i.email_address, i.status, i.url])).toEqual([
      [invitee, "pending", null],
      [other, "pending", null],
    ]);
    const pending = await adminBrowser.call(
      "GET",
      `/v1/organizations/${org.id}/invitations?_clerk_session_id=${sessionId}&status=pending&limit=10&offset=0`,
    );
    expect(pending.body.response.total_count).toBe(2);

    const link = await inviteLink(invitee);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/sign-up`);
    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const started = await browser.call("POST", "/v1/client/sign_ups", {
      strategy: "ticket",
      ticket: ticketOf(link),
    });
    expect(started.body.response).toMatchObject({
      status: "missing_requirements",
      email_address: invitee,
      missing_fields: ["password"],
      unverified_fields: [],
    });
    expect(await mailbox(invitee)).toHaveLength(1);
    const done = await browser.call("PATCH", `/v1/client/sign_ups/${started.body.response.id}`, {
      password: PASSWORD,
    });
    expect(done.body.response.status).toBe("complete");
    const [session] = done.body.client.sessions;
    expect(session.last_active_organization_id).toBe(org.id);
    expect(claimsOf(session.last_active_token.jwt).o).toMatchObject({ id: org.id, rol: "viewer" });
    expect(session.user.organization_memberships[0]).toMatchObject({
      role: "org:viewer",
      organization: { id: org.id },
    });

    const stillPending = await adminBrowser.call(
      "GET",
      `/v1/organizations/${org.id}/invitations?_clerk_session_id=${sessionId}&status=pending`,
    );
    expect(stillPending.body.response.data.map((i: WireJson) => i.email_address)).toEqual([other]);
    const accepted = await adminBrowser.call(
      "GET",
      `/v1/organizations/${org.id}/invitations?_clerk_session_id=${sessionId}&status=accepted`,
    );
    expect(accepted.body.response.data.map((i: WireJson) => i.email_address)).toEqual([invitee]);

    // The same link a second time: Clerk's error, which the UI shows.
    const again = await fapiBrowser(emulator.frontendUrl, APP);
    const reused = await again.call("POST", "/v1/client/sign_ups", {
      strategy: "ticket",
      ticket: ticketOf(link),
    });
    expect(reused.status).toBe(400);
    expect(reused.body.errors[0].code).toBe("organization_invitation_already_accepted");
  });

  it("signs an existing user in with the ticket, into the organization", async () => {
    const { org } = await organizationWithAdmin("signin");
    const user = await clerk.users.createUser({
      emailAddress: [address("returning")],
      password: PASSWORD,
    });
    const email = user.emailAddresses[0]?.emailAddress ?? "";
    await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:member",
    });
    const link = await inviteLink(email);
    expect(link.pathname).toBe("/sign-in");
    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const res = await browser.call("POST", "/v1/client/sign_ins", {
      strategy: "ticket",
      ticket: ticketOf(link),
    });
    expect(res.body.response).toMatchObject({
      status: "complete",
      identifier: email,
      first_factor_verification: { strategy: "ticket", status: "verified" },
    });
    expect(res.body.client.sessions[0].last_active_organization_id).toBe(org.id);
  });

  it("lets a signed-in user accept an invitation from their own list, as <OrganizationSwitcher/> does", async () => {
    const { org } = await organizationWithAdmin("switcher");
    const user = await clerk.users.createUser({
      emailAddress: [address("switcher-user")],
      password: PASSWORD,
    });
    const email = user.emailAddresses[0]?.emailAddress ?? "";
    const { browser, sessionId } = await signedIn(email);
    const invitation = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:viewer",
    });
    const list = await browser.call(
      "GET",
      `/v1/me/organization_invitations?_clerk_session_id=${sessionId}&status=pending&limit=10&offset=0`,
    );
    expect(
      list.body.response.data.map((i: WireJson) => [i.id, i.public_organization_data.slug]),
    ).toEqual([[invitation.id, org.slug]]);
    const accepted = await browser.call(
      "POST",
      `/v1/me/organization_invitations/${invitation.id}/accept?_clerk_session_id=${sessionId}`,
    );
    expect(accepted.body.response.status).toBe("accepted");
    expect(
      accepted.body.client.sessions[0].user.organization_memberships.map((m: WireJson) => [
        m.organization.id,
        m.role,
      ]),
    ).toEqual([[org.id, "org:viewer"]]);
    const twice = await browser.call(
      "POST",
      `/v1/me/organization_invitations/${invitation.id}/accept?_clerk_session_id=${sessionId}`,
    );
    expect(twice.status).toBe(404);
    expect(twice.body.errors[0].code).toBe("organization_invitation_not_pending");
    const org2 = await organizationWithAdmin("someone-else");
    const notMine = await clerk.organizations.createOrganizationInvitation({
      organizationId: org2.org.id,
      emailAddress: address("stranger"),
      role: "org:member",
    });
    const foreign = await browser.call(
      "POST",
      `/v1/me/organization_invitations/${notMine.id}/accept?_clerk_session_id=${sessionId}`,
    );
    expect(foreign.status).toBe(404);
  });

  it("answers revoked, forged and misused tickets and deleted organizations with Clerk's errors", async () => {
    const { org } = await organizationWithAdmin("errors");
    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const signUpWith = async (ticket: string) => {
      const res = await browser.call("POST", "/v1/client/sign_ups", { strategy: "ticket", ticket });
      return [res.status, res.body.errors?.[0]?.code];
    };
    const signInWith = async (ticket: string) => {
      const res = await browser.call("POST", "/v1/client/sign_ins", { strategy: "ticket", ticket });
      return [res.status, res.body.errors?.[0]?.code];
    };

    const revokedEmail = address("revoked");
    const revoked = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: revokedEmail,
      role: "org:member",
    });
    await clerk.organizations.revokeOrganizationInvitation({
      organizationId: org.id,
      invitationId: revoked.id,
    });
    const revokedTicket = ticketOf(await inviteLink(revokedEmail));
    expect(await signUpWith(revokedTicket)).toEqual([400, "organization_invitation_revoked_code"]);
    expect(await signUpWith("not-a-ticket")).toEqual([400, "ticket_invalid_code"]);
    const [head, payload, signature] = revokedTicket.split(".");
    const forged = `${head}.${Buffer.from(
      JSON.stringify({ ...claimsOf(revokedTicket), sid: "orginv_someone_else" }),
    ).toString("base64url")}.${signature}`;
    expect(payload).toBeTruthy();
    expect(await signUpWith(forged)).toEqual([400, "ticket_invalid_code"]);

    // A ticket for an address with an account signs in; one for a new address signs up.
    const existing = await clerk.users.createUser({ emailAddress: [address("has-account")] });
    const existingEmail = existing.emailAddresses[0]?.emailAddress ?? "";
    await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: existingEmail,
      role: "org:member",
    });
    expect(await signUpWith(ticketOf(await inviteLink(existingEmail)))).toEqual([
      400,
      "organization_invitation_identification_already_exists",
    ]);
    const newEmail = address("no-account");
    await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: newEmail,
      role: "org:member",
    });
    expect(await signInWith(ticketOf(await inviteLink(newEmail)))).toEqual([
      400,
      "organization_invitation_identification_not_exist",
    ]);

    await clerk.organizations.deleteOrganization(org.id);
    expect(await signUpWith(ticketOf(await inviteLink(newEmail)))).toEqual([
      400,
      "organization_invitation_to_deleted_organization",
    ]);
  });

  it("lets only members who manage members invite, list and revoke", async () => {
    const { org } = await organizationWithAdmin("perms");
    const viewer = await clerk.users.createUser({
      emailAddress: [address("viewer")],
      password: PASSWORD,
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: viewer.id,
      role: "org:viewer",
    });
    const { browser, sessionId } = await signedIn(viewer.emailAddresses[0]?.emailAddress ?? "");
    const invite = await browser.call(
      "POST",
      `/v1/organizations/${org.id}/invitations?_clerk_session_id=${sessionId}`,
      { email_address: address("friend"), role: "org:member" },
    );
    expect(invite.status).toBe(403);
    const list = await browser.call(
      "GET",
      `/v1/organizations/${org.id}/invitations?_clerk_session_id=${sessionId}`,
    );
    expect(list.status).toBe(403);
  });
});

describe("organizationInvitation webhooks", () => {
  it("announce created, accepted and revoked invitations in the webhook spec's shapes", async () => {
    const { admin, org } = await organizationWithAdmin("hooks");
    const joining = address("joining");
    const leaving = address("leaving");
    const toAccept = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: joining,
      role: "org:member",
      inviterUserId: admin.id,
    });
    const toRevoke = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: leaving,
      role: "org:member",
    });
    await clerk.organizations.revokeOrganizationInvitation({
      organizationId: org.id,
      invitationId: toRevoke.id,
    });
    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const started = await browser.call("POST", "/v1/client/sign_ups", {
      strategy: "ticket",
      ticket: ticketOf(await inviteLink(joining)),
      password: PASSWORD,
    });
    expect(started.body.response.status).toBe("complete");
    const userId = started.body.response.created_user_id;

    const ours = (all: typeof receiver.deliveries) =>
      all.filter(
        (d) =>
          d.type.startsWith("organizationInvitation.") &&
          [toAccept.id, toRevoke.id].includes(String((d.payload.data as WireJson).id)),
      );
    const got = await receiver.waitFor((all) => ours(all).length >= 4);
    expect(ours(got).map((d) => [d.type, (d.payload.data as WireJson).id])).toEqual([
      ["organizationInvitation.created", toAccept.id],
      ["organizationInvitation.created", toRevoke.id],
      ["organizationInvitation.revoked", toRevoke.id],
      ["organizationInvitation.accepted", toAccept.id],
    ]);
    for (const delivery of ours(got)) {
      expect(validateWebhookPayload(delivery.payload), delivery.type).toMatchObject({ ok: true });
    }
    const accepted = ours(got).find((d) => d.type === "organizationInvitation.accepted");
    expect(accepted?.payload.data).toMatchObject({
      status: "accepted",
      user_id: userId,
      inviter_id: admin.id,
      public_inviter_data: { user_id: admin.id, first_name: "Ada" },
      data: { public_organization_data: { id: org.id, slug: org.slug } },
    });
    const membership = got.find(
      (d) =>
        d.type === "organizationMembership.created" &&
        JSON.stringify(d.payload.data).includes(userId),
    );
    expect(membership?.payload.data).toMatchObject({ role: "org:member" });
  });
});
