import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readInstanceSettings } from "../../../clerk/instance-settings";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, type WireJson } from "../../support/fapi-browser";
import { mailbox, mailboxCode } from "../../support/mailbox";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Verified domains, suggestions and membership requests: the Backend API through the real
// @clerk/backend (every body held to the BAPI spec by contract-setup.ts), the Frontend API the
// way clerk-js calls it for <OrganizationProfile/>, <OrganizationSwitcher/> and
// <OrganizationList/> (held to the FAPI spec), and the organizationDomain.* webhooks (held to the
// webhook spec).
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

// A domain name of this test's own, so tests sharing the emulator never share a domain.
const domainName = (label: string) => `${unique(label)}.test`;

async function organizationWithAdmin(label: string, adminEmail = `${unique(label)}@example.com`) {
  const admin = await clerk.users.createUser({
    emailAddress: [adminEmail],
    password: PASSWORD,
    firstName: "Ada",
  });
  const org = await clerk.organizations.createOrganization({
    name: `Org ${label}`,
    createdBy: admin.id,
  });
  return { admin, adminEmail, org };
}

async function signedIn(email: string): Promise<{ browser: FapiBrowser; sid: string }> {
  const browser = await fapiBrowser(emulator.frontendUrl, APP);
  const res = await browser.call("POST", "/v1/client/sign_ins", {
    identifier: email,
    password: PASSWORD,
  });
  expect(res.body.response.status).toBe("complete");
  return { browser, sid: res.body.response.created_session_id };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (err: { status: number; errors: { code: string; meta?: { paramName?: string } }[] }) => ({
      status: err.status,
      code: err.errors[0]?.code,
      param: err.errors[0]?.meta?.paramName,
    }),
  );

const domainEvents = (id: string) =>
  receiver.deliveries.filter(
    (d) => d.type.startsWith("organizationDomain.") && (d.payload.data as WireJson).id === id,
  );

// @clerk/backend 3.25 has no OrganizationDomain class: it hands back the JSON as Clerk sent it.
const raw = (domain: unknown) => domain as WireJson;

describe("Backend API: organization domains", () => {
  it("creates a verified domain, lists, updates and deletes it, announcing each change", async () => {
    const { org } = await organizationWithAdmin("bapi");
    const name = domainName("bapi");
    const created = await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name: name.toUpperCase(),
      enrollmentMode: "automatic_suggestion",
    });
    expect(raw(created)).toMatchObject({
      object: "organization_domain",
      name,
      organization_id: org.id,
      enrollment_mode: "automatic_suggestion",
      affiliation_verification: { status: "verified", strategy: "admin" },
      verification: { status: "verified", strategy: "admin" },
      total_pending_invitations: 0,
      total_pending_suggestions: 0,
      public_organization_data: { id: org.id, name: org.name },
    });
    const unverified = await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name: domainName("later"),
      enrollmentMode: "manual_invitation",
      verified: false,
    });
    expect(raw(unverified)).toMatchObject({
      verification: null,
      enrollment_mode: "manual_invitation",
    });

    const list = await clerk.organizations.getOrganizationDomainList({ organizationId: org.id });
    expect(list.totalCount).toBe(2);
    expect(list.data.map((d) => d.id)).toEqual([unverified.id, created.id]);
    const verifiedOnly = await emulatorRequest(
      emulator.url,
      "GET",
      `/v1/organizations/${org.id}/domains?verified=true`,
    );
    expect(verifiedOnly.body.data.map((d: WireJson) => d.id)).toEqual([created.id]);
    const all = await emulatorRequest(
      emulator.url,
      "GET",
      `/v1/organization_domains?organization_id=${org.id}&enrollment_mode=-manual_invitation`,
    );
    expect(all.body).toMatchObject({ total_count: 1, data: [{ id: created.id }] });

    const updated = await clerk.organizations.updateOrganizationDomain({
      organizationId: org.id,
      domainId: unverified.id,
      verified: true,
      enrollmentMode: "automatic_invitation",
    });
    expect(raw(updated)).toMatchObject({
      enrollment_mode: "automatic_invitation",
      verification: { status: "verified" },
    });
    await clerk.organizations.deleteOrganizationDomain({
      organizationId: org.id,
      domainId: created.id,
    });
    expect(
      (await clerk.organizations.getOrganizationDomainList({ organizationId: org.id })).totalCount,
    ).toBe(1);

    await receiver.waitFor(() => domainEvents(created.id).length === 2);
    expect(domainEvents(created.id).map((d) => d.type)).toEqual([
      "organizationDomain.created",
      "organizationDomain.deleted",
    ]);
    await receiver.waitFor(() => domainEvents(unverified.id).length === 2);
    const [, update] = domainEvents(unverified.id);
    expect(update?.type).toBe("organizationDomain.updated");
    expect(update?.payload.data).toMatchObject({
      enrollment_mode: "automatic_invitation",
      verification: { status: "verified" },
      public_organization_data: { id: org.id, slug: org.slug },
    });
    for (const d of [...domainEvents(created.id), ...domainEvents(unverified.id)]) {
      expect(validateWebhookPayload(d.payload), d.type).toMatchObject({ ok: true });
    }
  });

  it("refuses common providers, malformed and duplicate names, a name verified elsewhere, unknown modes and an 11th domain", async () => {
    const { org } = await organizationWithAdmin("refusals");
    const { org: other } = await organizationWithAdmin("elsewhere");
    const create = (organizationId: string, name: string, extra: object = {}) =>
      rejection(
        clerk.organizations.createOrganizationDomain({
          organizationId,
          name,
          enrollmentMode: "manual_invitation",
          ...extra,
        }),
      );

    expect(await create(org.id, "gmail.com")).toEqual({
      status: 400,
      code: "organization_domain_common",
      param: "name",
    });
    expect(await create(org.id, "not a domain")).toMatchObject({
      status: 422,
      code: "form_param_format_invalid",
    });
    const name = domainName("taken");
    // Unverified, another organization may hold the name too, but not verify it once one has.
    const pending = await clerk.organizations.createOrganizationDomain({
      organizationId: other.id,
      name,
      enrollmentMode: "manual_invitation",
      verified: false,
    });
    await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name,
      enrollmentMode: "manual_invitation",
    });
    expect(await create(org.id, name, { verified: false })).toMatchObject({
      status: 422,
      code: "form_identifier_exists",
      param: "name",
    });
    const { org: third } = await organizationWithAdmin("third");
    expect(await create(third.id, name)).toMatchObject({
      status: 400,
      code: "organization_domain_already_exists",
    });
    expect(
      await rejection(
        clerk.organizations.updateOrganizationDomain({
          organizationId: other.id,
          domainId: pending.id,
          verified: true,
        }),
      ),
    ).toMatchObject({ status: 400, code: "organization_domain_already_exists" });
    expect(await create(org.id, domainName("mode"), { enrollmentMode: "enterprise_sso" })).toEqual({
      status: 422,
      code: "form_param_format_invalid",
      param: "enrollment_mode",
    });
    expect(await create("org_missing", domainName("nowhere"))).toMatchObject({ status: 404 });
    for (let i = 1; i < 10; i++) {
      await clerk.organizations.createOrganizationDomain({
        organizationId: org.id,
        name: domainName(`n${i}`),
        enrollmentMode: "manual_invitation",
        verified: false,
      });
    }
    expect(await create(org.id, domainName("eleventh"), { verified: false })).toMatchObject({
      status: 403,
      code: "organization_domain_quota_exceeded",
    });
  });

  it("automatic invitation invites everyone with a verified address at the domain, now and at sign-up, without email", async () => {
    const name = domainName("auto");
    const { org } = await organizationWithAdmin("auto");
    const early = await clerk.users.createUser({ emailAddress: [`early@${name}`] });
    const elsewhere = await clerk.users.createUser({
      emailAddress: [`${unique("x")}@example.com`],
    });
    const domain = await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name,
      enrollmentMode: "automatic_invitation",
    });
    const late = await clerk.users.createUser({ emailAddress: [`late@${name}`] });
    // An address added verified through the Backend API counts too.
    await clerk.emailAddresses.createEmailAddress({
      userId: elsewhere.id,
      emailAddress: `second@${name}`,
      verified: true,
    });

    const invitations = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
      status: ["pending"],
    });
    expect(invitations.data.map((i) => [i.emailAddress, i.role]).sort()).toEqual(
      [
        [`early@${name}`, "org:member"],
        [`late@${name}`, "org:member"],
        [`second@${name}`, "org:member"],
      ].sort(),
    );
    expect(await mailbox(emulator.url, `early@${name}`)).toEqual([]);
    const [counted] = (
      await clerk.organizations.getOrganizationDomainList({ organizationId: org.id })
    ).data;
    expect(raw(counted)).toMatchObject({ id: domain.id, total_pending_invitations: 3 });
    const mine = await clerk.users.getOrganizationInvitationList({ userId: late.id });
    expect(mine.data.map((i) => i.organizationId)).toEqual([org.id]);
    expect(early.id).toBeTruthy();
  });
});

describe("Frontend API: verifying a domain and membership requests", () => {
  it("an admin verifies a domain with the code emailed to an address there and turns on suggestions; a user asks to join and the admin accepts", async () => {
    const name = domainName("ui");
    const { adminEmail, org } = await organizationWithAdmin("ui");
    const admin = await signedIn(adminEmail);
    const q = `_clerk_session_id=${admin.sid}`;
    const created = await admin.browser.call("POST", `/v1/organizations/${org.id}/domains?${q}`, {
      name,
    });
    expect(created.status).toBe(200);
    const domain = created.body.response;
    expect(domain).toMatchObject({
      name,
      enrollment_mode: "manual_invitation",
      verification: null,
    });
    const base = `/v1/organizations/${org.id}/domains/${domain.id}`;

    const stranger = await admin.browser.call(
      "POST",
      `${base}/prepare_affiliation_verification?${q}`,
      { affiliation_email_address: "it@elsewhere.test" },
    );
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors[0].meta.param_name).toBe("affiliation_email_address");
    const prepared = await admin.browser.call(
      "POST",
      `${base}/prepare_affiliation_verification?${q}`,
      { affiliation_email_address: `it@${name}` },
    );
    expect(prepared.body.response).toMatchObject({
      affiliation_email_address: `it@${name}`,
      verification: { status: "unverified", strategy: "email_code", attempts: 0 },
    });
    const code = await mailboxCode(emulator.url, `it@${name}`);
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await admin.browser.call(
      "POST",
      `${base}/attempt_affiliation_verification?${q}`,
      { code: code === "000000" ? "111111" : "000000" },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].code).toBe("form_code_incorrect");
    const verified = await admin.browser.call(
      "POST",
      `${base}/attempt_affiliation_verification?${q}`,
      { code: code ?? "" },
    );
    expect(verified.body.response.verification).toMatchObject({ status: "verified", attempts: 2 });
    const mode = await admin.browser.call("POST", `${base}/update_enrollment_mode?${q}`, {
      enrollment_mode: "automatic_suggestion",
    });
    expect(mode.body.response.enrollment_mode).toBe("automatic_suggestion");

    // Someone with an address at the domain signs up and sees the suggestion.
    const userEmail = `grace@${name}`;
    const user = await clerk.users.createUser({ emailAddress: [userEmail], password: PASSWORD });
    const grace = await signedIn(userEmail);
    const gq = `_clerk_session_id=${grace.sid}`;
    const suggestions = await grace.browser.call(
      "GET",
      `/v1/me/organization_suggestions?${gq}&status=pending&status=accepted&limit=10&offset=0`,
    );
    expect(suggestions.body.response.total_count).toBe(1);
    const [suggestion] = suggestions.body.response.data;
    expect(suggestion).toMatchObject({
      status: "pending",
      public_organization_data: { id: org.id, name: org.name, slug: org.slug },
    });
    const counted = await admin.browser.call("GET", `${base}?${q}`);
    expect(counted.body.response.total_pending_suggestions).toBe(1);

    const asked = await grace.browser.call(
      "POST",
      `/v1/me/organization_suggestions/${suggestion.id}/accept?${gq}`,
    );
    expect(asked.body.response.status).toBe("accepted");
    // Asking twice makes one request.
    await grace.browser.call(
      "POST",
      `/v1/me/organization_suggestions/${suggestion.id}/accept?${gq}`,
    );

    const requests = await admin.browser.call(
      "GET",
      `/v1/organizations/${org.id}/membership_requests?${q}&status=pending&limit=10&offset=0`,
    );
    expect(requests.body.response.total_count).toBe(1);
    const [request] = requests.body.response.data;
    expect(request).toMatchObject({
      organization_id: org.id,
      status: "pending",
      public_user_data: { user_id: user.id, identifier: userEmail },
    });
    // Grace is no member manager of that organization (nor a member).
    const notHers = await grace.browser.call(
      "POST",
      `/v1/organizations/${org.id}/membership_requests/${request.id}/accept?${gq}`,
    );
    expect(notHers.status).toBe(404);

    const accepted = await admin.browser.call(
      "POST",
      `/v1/organizations/${org.id}/membership_requests/${request.id}/accept?${q}`,
    );
    expect(accepted.body.response.status).toBe("accepted");
    const again = await admin.browser.call(
      "POST",
      `/v1/organizations/${org.id}/membership_requests/${request.id}/reject?${q}`,
    );
    expect(again.status).toBe(422);
    expect(again.body.errors[0].code).toBe("organization_membership_request_not_pending");

    const memberships = await clerk.users.getOrganizationMembershipList({ userId: user.id });
    expect(memberships.data.map((m) => [m.organization.id, m.role])).toEqual([
      [org.id, "org:member"],
    ]);
    await receiver.waitFor((all) =>
      all.some(
        (d) =>
          d.type === "organizationMembership.created" &&
          (d.payload.data as WireJson).public_user_data.user_id === user.id,
      ),
    );
    const after = await grace.browser.call(
      "GET",
      `/v1/me/organization_suggestions?${gq}&status=pending&status=accepted`,
    );
    expect(after.body.response.total_count).toBe(0);
  });

  it("verifies at once a domain of the admin's own verified address; rejects a request; members without the permission are refused", async () => {
    const name = domainName("own");
    const { adminEmail, org } = await organizationWithAdmin("own", `boss@${name}`);
    const admin = await signedIn(adminEmail);
    const q = `_clerk_session_id=${admin.sid}`;
    const created = await admin.browser.call("POST", `/v1/organizations/${org.id}/domains?${q}`, {
      name,
      enrollment_mode: "automatic_suggestion",
    });
    expect(created.body.response).toMatchObject({
      affiliation_email_address: adminEmail,
      verification: { status: "verified", strategy: "email_code" },
    });

    const member = await clerk.users.createUser({
      emailAddress: [`${unique("m")}@example.com`],
      password: PASSWORD,
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:member",
    });
    const plain = await signedIn(member.emailAddresses[0]?.emailAddress ?? "");
    const pq = `_clerk_session_id=${plain.sid}`;
    const denied = await plain.browser.call("POST", `/v1/organizations/${org.id}/domains?${pq}`, {
      name: domainName("nope"),
    });
    expect(denied.status).toBe(403);
    const unreadable = await plain.browser.call("GET", `/v1/organizations/${org.id}/domains?${pq}`);
    expect(unreadable.status).toBe(403);
    const noRequests = await plain.browser.call(
      "GET",
      `/v1/organizations/${org.id}/membership_requests?${pq}`,
    );
    expect(noRequests.status).toBe(403);

    // A user who verifies an address at the domain later gets the suggestion then.
    const late = await clerk.users.createUser({
      emailAddress: [`${unique("late")}@example.com`],
      password: PASSWORD,
    });
    const lateUser = await signedIn(late.emailAddresses[0]?.emailAddress ?? "");
    const lq = `_clerk_session_id=${lateUser.sid}`;
    const added = await lateUser.browser.call("POST", `/v1/me/email_addresses?${lq}`, {
      email_address: `late@${name}`,
    });
    const id = added.body.response.id;
    const none = await lateUser.browser.call("GET", `/v1/me/organization_suggestions?${lq}`);
    expect(none.body.response.total_count).toBe(0);
    await lateUser.browser.call("POST", `/v1/me/email_addresses/${id}/prepare_verification?${lq}`, {
      strategy: "email_code",
    });
    await lateUser.browser.call("POST", `/v1/me/email_addresses/${id}/attempt_verification?${lq}`, {
      code: (await mailboxCode(emulator.url, `late@${name}`)) ?? "",
    });
    const [suggestion] = (
      await lateUser.browser.call("GET", `/v1/me/organization_suggestions?${lq}`)
    ).body.response.data;
    expect(suggestion.public_organization_data.id).toBe(org.id);
    await lateUser.browser.call(
      "POST",
      `/v1/me/organization_suggestions/${suggestion.id}/accept?${lq}`,
    );
    const [request] = (
      await admin.browser.call("GET", `/v1/organizations/${org.id}/membership_requests?${q}`)
    ).body.response.data;
    const rejected = await admin.browser.call(
      "POST",
      `/v1/organizations/${org.id}/membership_requests/${request.id}/reject?${q}`,
    );
    expect(rejected.body.response.status).toBe("rejected");
    const memberships = await clerk.users.getOrganizationMembershipList({ userId: late.id });
    expect(memberships.totalCount).toBe(0);
    const pending = await admin.browser.call(
      "GET",
      `/v1/organizations/${org.id}/membership_requests?${q}&status=pending`,
    );
    expect(pending.body.response.total_count).toBe(0);
  });

  it("back to manual invitations with delete_pending revokes the domain's invitations and drops its suggestions; deleting the organization deletes its domains", async () => {
    const name = domainName("manual");
    const { adminEmail, org } = await organizationWithAdmin("manual");
    await clerk.users.createUser({ emailAddress: [`one@${name}`] });
    const admin = await signedIn(adminEmail);
    const q = `_clerk_session_id=${admin.sid}`;
    const domain = await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name,
      enrollmentMode: "automatic_invitation",
    });
    const base = `/v1/organizations/${org.id}/domains/${domain.id}`;
    expect((await admin.browser.call("GET", `${base}?${q}`)).body.response).toMatchObject({
      total_pending_invitations: 1,
    });
    const manual = await admin.browser.call("POST", `${base}/update_enrollment_mode?${q}`, {
      enrollment_mode: "manual_invitation",
      delete_pending: "true",
    });
    expect(manual.body.response).toMatchObject({
      enrollment_mode: "manual_invitation",
      total_pending_invitations: 0,
    });
    const revoked = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
      status: ["revoked"],
    });
    expect(revoked.data.map((i) => i.emailAddress)).toEqual([`one@${name}`]);

    const removed = await admin.browser.call("DELETE", `${base}?${q}`);
    expect(removed.body.response).toEqual({
      object: "organization_domain",
      id: domain.id,
      deleted: true,
    });
    const second = await clerk.organizations.createOrganizationDomain({
      organizationId: org.id,
      name,
      enrollmentMode: "manual_invitation",
    });
    await clerk.organizations.deleteOrganization(org.id);
    await receiver.waitFor(() =>
      domainEvents(second.id).some((d) => d.type === "organizationDomain.deleted"),
    );
    const gone = await emulatorRequest(
      emulator.url,
      "GET",
      `/v1/organization_domains?domains=${name}`,
    );
    expect(gone.body.total_count).toBe(0);
  });
});

describe("the instance's verified-domain settings", () => {
  it("offers the enrollment modes clerk/instance-settings.json allows, and no domains when they are off", async () => {
    const declared = readInstanceSettings();
    const put = (verified_domains: object) =>
      emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", {
        ...declared,
        organizations: { ...declared.organizations, verified_domains },
      });
    const environment = async () => {
      const browser = await fapiBrowser(emulator.frontendUrl, APP);
      return (await browser.call("GET", "/v1/environment")).body.organization_settings.domains;
    };
    const { org } = await organizationWithAdmin("settings");
    try {
      await put({ enabled: true, automatic_invitation: false, automatic_suggestion: true });
      expect(await environment()).toEqual({
        enabled: true,
        enrollment_modes: ["manual_invitation", "automatic_suggestion"],
        default_role: "org:member",
      });
      expect(
        await rejection(
          clerk.organizations.createOrganizationDomain({
            organizationId: org.id,
            name: domainName("invite"),
            enrollmentMode: "automatic_invitation",
          }),
        ),
      ).toMatchObject({ status: 422, code: "form_param_format_invalid", param: "enrollment_mode" });

      await put({ enabled: false, automatic_invitation: false, automatic_suggestion: false });
      expect(await environment()).toMatchObject({ enabled: false, enrollment_modes: [] });
      expect(
        await rejection(
          clerk.organizations.createOrganizationDomain({
            organizationId: org.id,
            name: domainName("off"),
            enrollmentMode: "manual_invitation",
          }),
        ),
      ).toMatchObject({ status: 403, code: "not_allowed_access" });
    } finally {
      await put(declared.organizations.verified_domains);
    }
  });
});
