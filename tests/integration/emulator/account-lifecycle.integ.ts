import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, SKIP_BAPI_CONTRACT } from "../../support/fapi-browser";
import { mailboxCode } from "../../support/mailbox";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { type ReceivedDelivery, startWebhookReceiver } from "../../support/webhook-receiver";

// The account lifecycle of <UserProfile/> and <SignIn/>'s "Forgot password?", spoken the way
// clerk-js speaks it, every answer held to Clerk's FAPI specification and every webhook to its
// webhook specification.
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({ env: { EMULATOR_WEBHOOK_URL: receiver.url } });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const PASSWORD = "first-password-1";

type Account = { b: FapiBrowser; userId: string; email: string; sessionId: string };

// A user with a password, signed in on a browser of their own.
async function signIn(email: string, password: string, on: EmulatorProcess = emulator) {
  const b = await fapiBrowser(on.frontendUrl);
  const res = await b.call("POST", "/v1/client/sign_ins", { identifier: email, password });
  return { b, res };
}

async function newAccount(label: string, on: EmulatorProcess = emulator): Promise<Account> {
  const email = `${unique(label)}@example.com`;
  const user = await clerkFor(on.url).users.createUser({
    emailAddress: [email],
    password: PASSWORD,
  });
  const { b, res } = await signIn(email, PASSWORD, on);
  expect(res.body.response.status).toBe("complete");
  return { b, userId: user.id, email, sessionId: res.body.response.created_session_id };
}

// clerk-js names the session on every /v1/me call.
const me = (a: Account, path = "") => `/v1/me${path}?_clerk_session_id=${a.sessionId}`;

const deliveriesFor = (all: ReceivedDelivery[], type: string, id: string) =>
  all.filter((d) => d.type === type && JSON.stringify(d.payload.data).includes(id));

describe("email addresses in <UserProfile/>", () => {
  it("adds an address, verifies it with the mailed code, makes it primary and signs in with it", async () => {
    const a = await newAccount("addr");
    const second = `${unique("second")}@example.com`;
    const added = await a.b.call("POST", me(a, "/email_addresses"), { email_address: second });
    expect(added.status).toBe(200);
    expect(added.body.response).toMatchObject({ email_address: second, verification: null });
    const emailId = added.body.response.id;
    const inClient = added.body.client.sessions[0].user.email_addresses;
    expect(inClient.map((e: { email_address: string }) => e.email_address)).toContain(second);

    // Unverified, it can neither become primary nor sign anyone in.
    const early = await a.b.call("PATCH", me(a), { primary_email_address_id: emailId });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].meta.param_name).toBe("primary_email_address_id");
    const stranger = await fapiBrowser(emulator.frontendUrl);
    const notYet = await stranger.call("POST", "/v1/client/sign_ins", { identifier: second });
    expect(notYet.body.errors[0].code).toBe("form_identifier_not_found");

    const prepared = await a.b.call(
      "POST",
      me(a, `/email_addresses/${emailId}/prepare_verification`),
      {
        strategy: "email_code",
      },
    );
    expect(prepared.body.response.verification).toMatchObject({
      status: "unverified",
      strategy: "email_code",
    });
    const code = await mailboxCode(emulator.url, second);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await a.b.call(
      "POST",
      me(a, `/email_addresses/${emailId}/attempt_verification`),
      {
        code: code === "000000" ? "111111" : "000000",
      },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_code_incorrect",
      meta: { param_name: "code" },
    });

    const verified = await a.b.call(
      "POST",
      me(a, `/email_addresses/${emailId}/attempt_verification`),
      {
        code: code as string,
      },
    );
    expect(verified.body.response.verification).toMatchObject({
      status: "verified",
      strategy: "email_code",
    });

    const primary = await a.b.call("PATCH", me(a), { primary_email_address_id: emailId });
    expect(primary.body.response.primary_email_address_id).toBe(emailId);
    expect((await clerk.users.getUser(a.userId)).primaryEmailAddress?.emailAddress).toBe(second);

    const withNewAddress = await signIn(second, PASSWORD);
    expect(withNewAddress.res.body.response.status).toBe("complete");

    const updates = await receiver.waitFor((all) =>
      deliveriesFor(all, "user.updated", a.userId).some(
        (d) =>
          (d.payload.data as { primary_email_address_id: string }).primary_email_address_id ===
          emailId,
      ),
    );
    for (const d of deliveriesFor(updates, "user.updated", a.userId)) {
      expect(validateWebhookPayload(d.payload)).toEqual({
        ok: true,
        operation: expect.any(String),
      });
    }
  });

  it("refuses an address another user holds with form_identifier_exists, and a malformed one", async () => {
    const owner = await newAccount("owner");
    const a = await newAccount("taker");
    const taken = await a.b.call("POST", me(a, "/email_addresses"), { email_address: owner.email });
    expect(taken.status).toBe(422);
    expect(taken.body.errors[0]).toMatchObject({
      code: "form_identifier_exists",
      meta: { param_name: "email_address" },
    });
    const shouting = await a.b.call("POST", me(a, "/email_addresses"), {
      email_address: ` ${owner.email.toUpperCase()} `,
    });
    expect(shouting.body.errors[0].code).toBe("form_identifier_exists");
    const malformed = await a.b.call("POST", me(a, "/email_addresses"), {
      email_address: "not-an-address",
    });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0]).toMatchObject({
      code: "form_param_format_invalid",
      meta: { param_name: "email_address" },
    });
    const user = await clerk.users.getUser(a.userId);
    expect(user.emailAddresses).toHaveLength(1);
  });

  it("refuses to remove the primary address with Clerk's error, and removes another one", async () => {
    const a = await newAccount("remove");
    const primaryId = (await clerk.users.getUser(a.userId)).primaryEmailAddressId;
    const refused = await a.b.call("DELETE", me(a, `/email_addresses/${primaryId}`));
    expect(refused.status).toBe(400);
    // No field: the UI shows it above the remove form.
    expect(refused.body.errors[0]).toMatchObject({ code: "identification_deletion_failed" });
    expect(refused.body.errors[0].meta).toBeUndefined();

    const extra = `${unique("extra")}@example.com`;
    const added = await a.b.call("POST", me(a, "/email_addresses"), { email_address: extra });
    const removed = await a.b.call("DELETE", me(a, `/email_addresses/${added.body.response.id}`));
    expect(removed.body.response).toEqual({
      object: "email_address",
      id: added.body.response.id,
      deleted: true,
    });
    const addresses = removed.body.client.sessions[0].user.email_addresses;
    expect(addresses.map((e: { id: string }) => e.id)).toEqual([primaryId]);

    const elsewhere = await newAccount("elsewhere");
    const notTheirs = await elsewhere.b.call(
      "DELETE",
      me(elsewhere, `/email_addresses/${primaryId}`),
    );
    expect(notTheirs.status).toBe(404);
    expect((await clerk.users.getUser(a.userId)).emailAddresses).toHaveLength(1);
  });

  it("needs a signed-in session", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const res = await b.call("POST", "/v1/me/email_addresses", { email_address: "x@example.com" });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].code).toBe("signed_out");
  });
});

describe("the profile picture in <UserProfile/>", () => {
  // The smallest PNG: one transparent pixel.
  const PNG = Buffer.from(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082",
    "hex",
  );
  const upload = (bytes: Buffer, type: string) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)], { type }), "me.png");
    return form;
  };

  it("uploads a picture, serves it back to every client and removes it again", async () => {
    const a = await newAccount("picture");
    const before = (await a.b.call("GET", me(a))).body.response;
    expect(before).toMatchObject({ has_image: false });
    // Generated, and marked so @clerk/ui offers no "Remove" for it.
    expect(before.image_url).toMatch(/^data:image\/svg\+xml;name=avatar_placeholder;base64,/);

    const uploaded = await a.b.call("POST", me(a, "/profile_image"), upload(PNG, "image/png"));
    expect(uploaded.status).toBe(200);
    const { public_url: url } = uploaded.body.response;
    expect(uploaded.body.response).toMatchObject({ object: "image", name: "me.png" });
    expect(url).toMatch(new RegExp(`^${emulator.frontendUrl}/v1/images/img_`));
    expect(uploaded.body.client.sessions[0].user).toMatchObject({
      image_url: url,
      has_image: true,
    });

    // Not a Clerk endpoint (Clerk serves pictures from its image host): no spec to hold it to.
    const picture = () => fetch(url, { headers: SKIP_BAPI_CONTRACT });
    const served = await picture();
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect(await clerk.users.getUser(a.userId)).toMatchObject({ imageUrl: url, hasImage: true });

    const removed = await a.b.call("DELETE", me(a, "/profile_image"));
    expect(removed.body.response).toMatchObject({ object: "image", deleted: true });
    expect(removed.body.client.sessions[0].user).toMatchObject({ has_image: false });
    expect((await picture()).status).toBe(404);
    expect((await a.b.call("DELETE", me(a, "/profile_image"))).status).toBe(404);
    await receiver.waitFor(
      (all) =>
        deliveriesFor(all, "user.updated", a.userId).filter((d) =>
          JSON.stringify(d.payload).includes(url),
        ).length === 1,
    );
  });

  it("refuses what is not a PNG, JPEG, GIF or WebP, whatever the upload claims", async () => {
    const a = await newAccount("not-a-picture");
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    const refused = await a.b.call("POST", me(a, "/profile_image"), upload(svg, "image/png"));
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({
      code: "form_param_format_invalid",
      meta: { param_name: "file" },
    });
    const empty = await a.b.call("POST", me(a, "/profile_image"), { file: "not a file" });
    expect(empty.status).toBe(422);
    expect((await clerk.users.getUser(a.userId)).hasImage).toBe(false);
  });
});

describe("changing the password in <UserProfile/>", () => {
  it("answers a wrong current password, a short one and an unchanged one under the right field", async () => {
    const a = await newAccount("change-errors");
    const attempt = (form: Record<string, string>) =>
      a.b.call("POST", me(a, "/change_password"), form);

    const wrong = await attempt({
      current_password: "not-it-at-all",
      new_password: "second-password-2",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_password_incorrect",
      meta: { param_name: "current_password" },
    });
    const missing = await attempt({ new_password: "second-password-2" });
    expect(missing.body.errors[0]).toMatchObject({
      code: "form_param_missing",
      meta: { param_name: "current_password" },
    });
    const short = await attempt({ current_password: PASSWORD, new_password: "short" });
    expect(short.body.errors[0]).toMatchObject({
      code: "form_password_length_too_short",
      meta: { param_name: "new_password" },
    });
    const same = await attempt({ current_password: PASSWORD, new_password: PASSWORD });
    expect(same.body.errors[0]).toMatchObject({
      code: "form_new_password_matches_current",
      meta: { param_name: "new_password" },
    });
    expect((await signIn(a.email, PASSWORD)).res.body.response.status).toBe("complete");
  });

  it("changes it, keeps this session and revokes the others when asked", async () => {
    const a = await newAccount("change");
    const other = await signIn(a.email, PASSWORD);
    const otherSession = other.res.body.response.created_session_id;

    const changed = await a.b.call("POST", me(a, "/change_password"), {
      current_password: PASSWORD,
      new_password: "second-password-2",
      sign_out_of_other_sessions: "true",
    });
    expect(changed.status).toBe(200);
    expect(changed.body.response).toMatchObject({ id: a.userId, password_enabled: true });
    expect(changed.body.client.sessions.map((s: { id: string }) => s.id)).toEqual([a.sessionId]);
    expect((await other.b.call("GET", "/v1/client")).body.response.sessions).toEqual([]);

    const old = await signIn(a.email, PASSWORD);
    expect(old.res.body.errors[0].code).toBe("form_password_incorrect");
    expect((await signIn(a.email, "second-password-2")).res.body.response.status).toBe("complete");

    await receiver.waitFor(
      (all) =>
        deliveriesFor(all, "session.revoked", otherSession).length === 1 &&
        deliveriesFor(all, "user.updated", a.userId).length > 0,
    );
    expect(deliveriesFor(receiver.deliveries, "session.revoked", a.sessionId)).toEqual([]);
  });

  it("leaves the other sessions signed in when not asked to sign them out", async () => {
    const a = await newAccount("change-keep");
    const other = await signIn(a.email, PASSWORD);
    await a.b.call("POST", me(a, "/change_password"), {
      current_password: PASSWORD,
      new_password: "second-password-2",
      sign_out_of_other_sessions: "false",
    });
    expect((await other.b.call("GET", "/v1/client")).body.response.sessions).toHaveLength(1);
  });
});

describe("resetting a forgotten password from <SignIn/>", () => {
  it("offers the reset code, checks it, takes the new password and signs in, revoking other sessions", async () => {
    const a = await newAccount("reset");
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: a.email });
    const id = started.body.response.id;
    const reset = started.body.response.supported_first_factors.find(
      (f: { strategy: string }) => f.strategy === "reset_password_email_code",
    );
    expect(reset).toMatchObject({ safe_identifier: a.email });

    const early = await b.call("POST", `/v1/client/sign_ins/${id}/reset_password`, {
      password: "new-password-3",
    });
    expect(early.status).toBe(400);

    const prepared = await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "reset_password_email_code",
      email_address_id: reset.email_address_id,
    });
    expect(prepared.body.response.first_factor_verification).toMatchObject({
      status: "unverified",
      strategy: "reset_password_email_code",
    });
    const code = await mailboxCode(emulator.url, a.email);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_code_incorrect",
      meta: { param_name: "code" },
    });

    const accepted = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code: code as string,
    });
    expect(accepted.body.response).toMatchObject({
      status: "needs_new_password",
      created_session_id: null,
    });
    expect(accepted.body.client.sessions).toEqual([]);

    const short = await b.call("POST", `/v1/client/sign_ins/${id}/reset_password`, {
      password: "short",
    });
    expect(short.body.errors[0]).toMatchObject({
      code: "form_password_length_too_short",
      meta: { param_name: "password" },
    });

    const done = await b.call("POST", `/v1/client/sign_ins/${id}/reset_password`, {
      password: "new-password-3",
      sign_out_of_other_sessions: "true",
    });
    expect(done.body.response.status).toBe("complete");
    const session = done.body.response.created_session_id;
    expect(done.body.client.sessions.map((s: { id: string }) => s.id)).toEqual([session]);
    expect((await a.b.call("GET", "/v1/client")).body.response.sessions).toEqual([]);

    expect((await signIn(a.email, PASSWORD)).res.body.errors[0].code).toBe(
      "form_password_incorrect",
    );
    expect((await signIn(a.email, "new-password-3")).res.body.response.status).toBe("complete");
    await receiver.waitFor(
      (all) => deliveriesFor(all, "session.revoked", a.sessionId).length === 1,
    );
  });

  it("does not let a sign-in code stand in for a reset code", async () => {
    const a = await newAccount("reset-mixup");
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", {
      identifier: a.email,
      strategy: "email_code",
    });
    const id = started.body.response.id;
    const code = await mailboxCode(emulator.url, a.email);
    const mixed = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code: code as string,
    });
    expect(mixed.status).toBe(422);
    expect(mixed.body.errors[0].meta.param_name).toBe("strategy");
  });
});

describe("deleting one's own account", () => {
  it("deletes the user with their memberships, sessions and keys, signs the browser out and announces it", async () => {
    const a = await newAccount("leaver");
    const org = await clerk.organizations.createOrganization({
      name: `Leavers ${unique("org")}`,
      createdBy: a.userId,
    });
    const key = await clerk.apiKeys.create({ name: "mine", subject: a.userId });

    const deleted = await a.b.call("DELETE", me(a));
    expect(deleted.status).toBe(200);
    expect(deleted.body.response).toEqual({ object: "user", id: a.userId, deleted: true });
    expect(deleted.body.client.sessions).toEqual([]);
    expect(deleted.body.client.last_active_session_id).toBeNull();

    await expect(clerk.users.getUser(a.userId)).rejects.toMatchObject({ status: 404 });
    await expect(clerk.apiKeys.verify(key.secret as string)).rejects.toMatchObject({ status: 404 });
    const refresh = await a.b.call("POST", `/v1/client/sessions/${a.sessionId}/tokens`, {});
    expect(refresh.status).toBe(401);
    const again = await signIn(a.email, PASSWORD);
    expect(again.res.body.errors[0].code).toBe("form_identifier_not_found");

    const all = await receiver.waitFor(
      (d) =>
        deliveriesFor(d, "user.deleted", a.userId).length === 1 &&
        deliveriesFor(d, "organizationMembership.deleted", org.id).length === 1 &&
        deliveriesFor(d, "session.revoked", a.sessionId).length === 1,
    );
    for (const d of deliveriesFor(all, "user.deleted", a.userId)) {
      expect(validateWebhookPayload(d.payload)).toEqual({
        ok: true,
        operation: expect.any(String),
      });
      expect(d.payload.data).toMatchObject({ id: a.userId, deleted: true });
    }
  });
});

describe("codes that expire", () => {
  let shortLived: EmulatorProcess;
  beforeAll(async () => {
    shortLived = await startEmulatorProcess({ env: { EMULATOR_CODE_TTL_SECONDS: "1" } });
  });
  afterAll(async () => {
    await shortLived.stop();
    removeDataDir(shortLived.dataDir);
  });
  const pastExpiry = () => new Promise((r) => setTimeout(r, 1_200));

  it("refuses an address code past its expiry with verification_expired", async () => {
    const a = await newAccount("late", shortLived);
    const added = await a.b.call("POST", me(a, "/email_addresses"), {
      email_address: `${unique("late")}@example.com`,
    });
    const emailId = added.body.response.id;
    await a.b.call("POST", me(a, `/email_addresses/${emailId}/prepare_verification`), {
      strategy: "email_code",
    });
    const code = await mailboxCode(shortLived.url, added.body.response.email_address);
    await pastExpiry();
    const late = await a.b.call("POST", me(a, `/email_addresses/${emailId}/attempt_verification`), {
      code: code as string,
    });
    expect(late.status).toBe(400);
    expect(late.body.errors[0]).toMatchObject({ code: "verification_expired" });
    const user = (await a.b.call("GET", me(a))).body.response;
    expect(user.email_addresses[1]).toMatchObject({
      id: emailId,
      verification: { status: "expired" },
    });
  });

  it("refuses a reset code past its expiry, and the password stays", async () => {
    const a = await newAccount("late-reset", shortLived);
    const b = await fapiBrowser(shortLived.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: a.email });
    const id = started.body.response.id;
    await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "reset_password_email_code",
    });
    const code = await mailboxCode(shortLived.url, a.email);
    await pastExpiry();
    const late = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code: code as string,
    });
    expect(late.body.errors[0].code).toBe("verification_expired");
    const refused = await b.call("POST", `/v1/client/sign_ins/${id}/reset_password`, {
      password: "new-password-3",
    });
    expect(refused.status).toBe(400);
    expect((await signIn(a.email, PASSWORD, shortLived)).res.body.response.status).toBe("complete");
  });
});
