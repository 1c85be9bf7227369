import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { type SignedInAccount, signedInAccount } from "../../support/fapi-sign-in";
import { instanceSettingsFile } from "../../support/instance-settings-file";
import { mailbox } from "../../support/mailbox";
import { NEXT_STEP_MS, totpCode } from "../../support/totp";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Two-step verification as <UserProfile/> enrols it (clerk-js's `user.createTOTP()`,
// `verifyTOTP()`, `disableTOTP()`, `createBackupCode()`, phone numbers reserved for SMS codes) and
// as <SignIn/> asks for it (`needs_second_factor`, `prepare_second_factor`,
// `attempt_second_factor`), spoken the way clerk-js speaks it and held to Clerk's FAPI spec; the
// Backend API's MFA endpoints through the real @clerk/backend.
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  // The default settings, with phone numbers and SMS codes as a second factor.
  const settings = instanceSettingsFile((s) => {
    s.identifiers.phone_number.enabled = true;
    s.second_factors.phone_code = true;
  });
  emulator = await startEmulatorProcess({
    env: { EMULATOR_WEBHOOK_URL: receiver.url, EMULATOR_INSTANCE_SETTINGS: settings },
  });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const account = (label: string) => signedInAccount(emulator, label);

// Enrols an authenticator app with a code for the current time step; answers its secret and the
// backup codes shown once.
async function enrolTotp(a: SignedInAccount) {
  const created = await a.b.call("POST", a.me("/totp"));
  const secret: string = created.body.response.secret;
  const code = totpCode(secret);
  const verified = await a.b.call("POST", a.me("/totp/attempt_verification"), { code });
  expect(verified.status).toBe(200);
  return { secret, code, backupCodes: verified.body.response.backup_codes as string[] };
}

// A password sign-in on a browser of its own, up to the second step.
async function secondStep(a: SignedInAccount) {
  const b = await fapiBrowser(emulator.frontendUrl);
  const started = await b.call("POST", "/v1/client/sign_ins", {
    identifier: a.email,
    password: a.password,
  });
  return { b, signIn: started.body.response };
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

describe("the authenticator app (TOTP) and backup codes in <UserProfile/>", () => {
  it("shows a secret and an otpauth URI, enables the app with a code from it, and answers the backup codes once", async () => {
    const a = await account("totp");
    const created = await a.b.call("POST", a.me("/totp"));
    expect(created.status).toBe(200);
    const totp = created.body.response;
    expect(totp).toMatchObject({ object: "totp", verified: false, backup_codes: null });
    expect(totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totp.uri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(totp.secret);
    expect(uri.searchParams.get("issuer")).toBe("Acme Projects");
    expect(decodeURIComponent(uri.pathname)).toContain(a.email);

    const wrong = await a.b.call("POST", a.me("/totp/attempt_verification"), {
      code: totpCode(totp.secret, Date.now() - 10 * NEXT_STEP_MS),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ code: "form_code_incorrect" });

    const verified = await a.b.call("POST", a.me("/totp/attempt_verification"), {
      code: totpCode(totp.secret),
    });
    expect(verified.body.response).toMatchObject({ verified: true, secret: null, uri: null });
    const codes: string[] = verified.body.response.backup_codes;
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{8}$/);
    expect(verified.body.client.sessions[0].user).toMatchObject({
      two_factor_enabled: true,
      totp_enabled: true,
      backup_code_enabled: true,
    });
    // Entering the app's code verified a second factor in this session.
    expect(verified.body.client.sessions[0].factor_verification_age).toEqual([0, 0]);

    // A second app needs the first one removed.
    expect((await a.b.call("POST", a.me("/totp"))).status).toBe(400);
    const user = await clerk.users.getUser(a.userId);
    expect(user).toMatchObject({
      twoFactorEnabled: true,
      totpEnabled: true,
      backupCodeEnabled: true,
    });
    await receiver.waitFor((all) =>
      all.some(
        (d) =>
          d.type === "user.updated" && JSON.stringify(d.payload).includes('"totp_enabled":true'),
      ),
    );
  });

  it("makes new backup codes, which replace the old ones, and refuses them without a second factor", async () => {
    const a = await account("backup");
    const none = await a.b.call("POST", a.me("/backup_codes"));
    expect(none.status).toBe(403);
    const { backupCodes: first } = await enrolTotp(a);
    const made = await a.b.call("POST", a.me("/backup_codes"));
    expect(made.body.response).toMatchObject({ object: "backup_code" });
    const second: string[] = made.body.response.codes;
    expect(second).toHaveLength(10);
    expect(second).not.toEqual(first);

    const { b, signIn } = await secondStep(a);
    const old = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_second_factor`, {
      strategy: "backup_code",
      code: first[0] as string,
    });
    expect(old.status).toBe(422);
  });

  it("removes the app: with no second factor left, two-step verification is off and the backup codes are gone", async () => {
    const a = await account("remove-totp");
    await enrolTotp(a);
    const removed = await a.b.call("DELETE", a.me("/totp"));
    expect(removed.body.response).toMatchObject({ object: "totp", deleted: true });
    expect(removed.body.client.sessions[0].user).toMatchObject({
      two_factor_enabled: false,
      totp_enabled: false,
      backup_code_enabled: false,
    });
    expect((await a.b.call("DELETE", a.me("/totp"))).status).toBe(404);
    const user = await clerk.users.getUser(a.userId);
    expect(user.backupCodeEnabled).toBe(false);
  });
});

describe("signing in with two-step verification", () => {
  it("stops at needs_second_factor and completes with a code from the app, then with a backup code used only once", async () => {
    const a = await account("second-step");
    const { secret, code, backupCodes } = await enrolTotp(a);

    const { b, signIn } = await secondStep(a);
    // Two-step verification takes precedence over Device Trust on this new browser.
    expect(signIn).toMatchObject({
      status: "needs_second_factor",
      supported_second_factors: [{ strategy: "totp" }, { strategy: "backup_code" }],
      first_factor_verification: { status: "verified", strategy: "password" },
      created_session_id: null,
    });
    const attempt = (browser: typeof b, id: string, strategy: string, code: string) =>
      browser.call("POST", `/v1/client/sign_ins/${id}/attempt_second_factor`, { strategy, code });

    const wrong = await attempt(b, signIn.id, "totp", "000000");
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_code_incorrect",
      meta: { param_name: "code" },
    });
    // The code that enrolled the app is used up.
    expect((await attempt(b, signIn.id, "totp", code)).status).toBe(422);

    const done = await attempt(b, signIn.id, "totp", totpCode(secret, Date.now() + NEXT_STEP_MS));
    expect(done.body.response).toMatchObject({
      status: "complete",
      second_factor_verification: { object: "verification_totp", status: "verified" },
    });
    const session = done.body.client.sessions[0];
    expect(session.factor_verification_age).toEqual([0, 0]);
    expect(claimsOf(session.last_active_token.jwt).fva).toEqual([0, 0]);

    const other = await secondStep(a);
    const backup = await attempt(other.b, other.signIn.id, "backup_code", backupCodes[0] as string);
    expect(backup.body.response.status).toBe("complete");
    const again = await secondStep(a);
    expect(
      (await attempt(again.b, again.signIn.id, "backup_code", backupCodes[0] as string)).status,
    ).toBe(422);
    expect(
      (await attempt(again.b, again.signIn.id, "backup_code", backupCodes[1] as string)).body
        .response.status,
    ).toBe("complete");
  });

  it("texts a code to a number reserved for two-step verification: added, verified, reserved, offered at sign-in, removed", async () => {
    const a = await account("sms");
    // Not one of Clerk's test numbers (+1 XXX 555-01XX): the code is random, read from the outbox.
    const number = `+1202${String(Date.now()).slice(-7)}`;
    const added = await a.b.call("POST", a.me("/phone_numbers"), { phone_number: number });
    expect(added.body.response).toMatchObject({
      phone_number: number,
      verification: null,
      reserved_for_second_factor: false,
    });
    const id = added.body.response.id;
    const early = await a.b.call("PATCH", a.me(`/phone_numbers/${id}`), {
      reserved_for_second_factor: "true",
    });
    expect(early.status).toBe(400);

    await a.b.call("POST", a.me(`/phone_numbers/${id}/prepare_verification`), {
      strategy: "phone_code",
    });
    const [text] = await mailbox(emulator.url, number);
    expect(text?.code).toMatch(/^\d{6}$/);
    const verified = await a.b.call("POST", a.me(`/phone_numbers/${id}/attempt_verification`), {
      code: text?.code as string,
    });
    expect(verified.body.response.verification).toMatchObject({
      status: "verified",
      strategy: "phone_code",
    });
    expect(verified.body.client.sessions[0].user.primary_phone_number_id).toBe(id);

    const reserved = await a.b.call("PATCH", a.me(`/phone_numbers/${id}`), {
      reserved_for_second_factor: "true",
    });
    expect(reserved.body.response).toMatchObject({
      reserved_for_second_factor: true,
      default_second_factor: true,
    });
    // The first second factor: its backup codes, shown once.
    expect(reserved.body.response.backup_codes).toHaveLength(10);

    const { b, signIn } = await secondStep(a);
    expect(signIn.supported_second_factors).toEqual([
      { strategy: "phone_code", phone_number_id: id, safe_identifier: number, default: true },
      { strategy: "backup_code" },
    ]);
    const since = Date.now();
    const prepared = await b.call(
      "POST",
      `/v1/client/sign_ins/${signIn.id}/prepare_second_factor`,
      {
        strategy: "phone_code",
        phone_number_id: id,
      },
    );
    expect(prepared.body.response.second_factor_verification).toMatchObject({
      strategy: "phone_code",
      status: "unverified",
    });
    const sms = (await mailbox(emulator.url, number)).find((m) => m.created_at >= since);
    const done = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_second_factor`, {
      strategy: "phone_code",
      code: sms?.code as string,
    });
    expect(done.body.response.status).toBe("complete");

    const removed = await a.b.call("DELETE", a.me(`/phone_numbers/${id}`));
    expect(removed.body.client.sessions[0].user).toMatchObject({
      two_factor_enabled: false,
      phone_numbers: [],
      primary_phone_number_id: null,
    });
  });
});

describe("the Backend API's MFA endpoints", () => {
  it("verifies a TOTP or backup code, and removes the app, the backup codes or all of MFA", async () => {
    const a = await account("bapi-mfa");
    const { secret, backupCodes } = await enrolTotp(a);
    await expect(
      clerk.users.verifyTOTP({
        userId: a.userId,
        code: totpCode(secret, Date.now() + NEXT_STEP_MS),
      }),
    ).resolves.toMatchObject({ verified: true, code_type: "totp" });
    await expect(
      clerk.users.verifyTOTP({ userId: a.userId, code: backupCodes[0] as string }),
    ).resolves.toMatchObject({ verified: true, code_type: "backup_code" });
    await expect(
      clerk.users.verifyTOTP({ userId: a.userId, code: backupCodes[0] as string }),
    ).rejects.toMatchObject({ status: 422 });

    await expect(clerk.users.deleteUserBackupCodes(a.userId)).resolves.toMatchObject({
      user_id: a.userId,
    });
    expect((await clerk.users.getUser(a.userId)).backupCodeEnabled).toBe(false);
    await clerk.users.deleteUserTOTP(a.userId);
    expect((await clerk.users.getUser(a.userId)).twoFactorEnabled).toBe(false);

    const b = await account("bapi-disable");
    await enrolTotp(b);
    await clerk.phoneNumbers.createPhoneNumber({
      userId: b.userId,
      phoneNumber: `+1303${String(Date.now()).slice(-7)}`,
      verified: true,
      reservedForSecondFactor: true,
    });
    await expect(clerk.users.disableUserMFA(b.userId)).resolves.toMatchObject({
      user_id: b.userId,
    });
    const after = await clerk.users.getUser(b.userId);
    expect(after).toMatchObject({
      twoFactorEnabled: false,
      totpEnabled: false,
      backupCodeEnabled: false,
    });
    expect(after.phoneNumbers[0]?.reservedForSecondFactor).toBe(false);
    await expect(clerk.users.disableUserMFA(`user_${"0".repeat(27)}`)).rejects.toMatchObject({
      status: 404,
    });
  });

  it("manages phone numbers: create with a user, add, find by number, make primary, reserve, delete", async () => {
    const base = Date.now();
    const phone = (n: number) => `+1415${String(base + n).slice(-7)}`;
    const first = phone(0);
    const email = `${unique("phones")}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email], phoneNumber: [first] });
    expect(user.phoneNumbers[0]).toMatchObject({
      phoneNumber: first,
      verification: { status: "verified", strategy: "admin" },
    });
    expect(user.primaryPhoneNumberId).toBe(user.phoneNumbers[0]?.id);
    await expect(
      clerk.users.createUser({
        emailAddress: [`${unique("taken")}@example.com`],
        phoneNumber: [first],
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      clerk.phoneNumbers.createPhoneNumber({ userId: user.id, phoneNumber: "555-0100" }),
    ).rejects.toMatchObject({ status: 422 });

    const second = await clerk.phoneNumbers.createPhoneNumber({
      userId: user.id,
      phoneNumber: phone(1),
      verified: true,
    });
    expect((await clerk.phoneNumbers.getPhoneNumber(second.id)).phoneNumber).toBe(phone(1));
    const found = await clerk.users.getUserList({ phoneNumber: [phone(1)] });
    expect(found.data.map((u) => u.id)).toEqual([user.id]);
    await clerk.phoneNumbers.updatePhoneNumber(second.id, {
      primary: true,
      reservedForSecondFactor: true,
    });
    const updated = await clerk.users.getUser(user.id);
    expect(updated.primaryPhoneNumberId).toBe(second.id);
    expect(updated.twoFactorEnabled).toBe(true);
    await expect(clerk.phoneNumbers.deletePhoneNumber(second.id)).resolves.toMatchObject({
      deleted: true,
    });
    const after = await clerk.users.getUser(user.id);
    expect(after.primaryPhoneNumberId).toBe(after.phoneNumbers[0]?.id);
    expect(after.twoFactorEnabled).toBe(false);
    await expect(clerk.phoneNumbers.getPhoneNumber(second.id)).rejects.toMatchObject({
      status: 404,
    });
  });
});
