import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type SignedInAccount, signedInAccount } from "../../support/fapi-sign-in";
import { mailboxCode } from "../../support/mailbox";
import { NEXT_STEP_MS, totpCode } from "../../support/totp";

// Reverification as clerk-js drives it (`session.startVerification()`, then the first and second
// factor steps the modal of `useReverification()` shows): the session's verification ages, which
// its tokens carry as `fva` for `has({ reverification })`, move only when a factor is verified.
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

const fvaOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()).fva;

// Emulator-only helper (not Clerk): the session's verifications `minutes` old.
async function age(a: SignedInAccount, minutes: number) {
  const res = await emulatorRequest(
    emulator.url,
    "POST",
    `/__emulator/sessions/${a.sessionId}/factor_verification_age`,
    { minutes },
  );
  expect(res.status).toBe(200);
  return res.body.factor_verification_age;
}

const verify = (a: SignedInAccount, step = "") =>
  `/v1/client/sessions/${a.sessionId}/verify${step}`;

describe("session reverification", () => {
  it("carries the verification ages in the session and its tokens, and resets the first with the password", async () => {
    const a = await signedInAccount(emulator, "reverify-password");
    expect(await age(a, 30)).toEqual([30, -1]);
    const client = await a.b.call("GET", "/v1/client");
    expect(client.body.response.sessions[0].factor_verification_age).toEqual([30, -1]);
    const token = await a.b.call("POST", `/v1/client/sessions/${a.sessionId}/tokens`);
    expect(fvaOf(token.body.jwt)).toEqual([30, -1]);

    // A second factor asked of a user without one falls back to the first, as with Clerk.
    const started = await a.b.call("POST", verify(a), { level: "second_factor" });
    expect(started.body.response).toMatchObject({
      object: "session_reverification",
      level: "first_factor",
      status: "needs_first_factor",
      supported_second_factors: [],
      session: { id: a.sessionId, factor_verification_age: [30, -1] },
    });
    expect(
      started.body.response.supported_first_factors.map((f: { strategy: string }) => f.strategy),
    ).toEqual(["password", "email_code"]);

    const wrong = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "password",
      password: "not-the-password",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ code: "form_password_incorrect" });
    const done = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "password",
      password: a.password,
    });
    expect(done.body.response).toMatchObject({
      status: "complete",
      first_factor_verification: { strategy: "password", status: "verified" },
      session: { factor_verification_age: [0, -1] },
    });
    expect(fvaOf(done.body.response.session.last_active_token.jwt)).toEqual([0, -1]);
  });

  it("verifies with an emailed code", async () => {
    const a = await signedInAccount(emulator, "reverify-code");
    await age(a, 20);
    await a.b.call("POST", verify(a), { level: "first_factor" });
    const unprepared = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "email_code",
      code: "123456",
    });
    expect(unprepared.status).toBe(422);
    const prepared = await a.b.call("POST", verify(a, "/prepare_first_factor"), {
      strategy: "email_code",
    });
    expect(prepared.body.response.first_factor_verification).toMatchObject({
      strategy: "email_code",
      status: "unverified",
    });
    const done = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "email_code",
      code: (await mailboxCode(emulator.url, a.email)) as string,
    });
    expect(done.body.response.session.factor_verification_age).toEqual([0, -1]);
  });

  it("asks a user with an authenticator app for both factors (multi_factor), or the second alone (second_factor)", async () => {
    const a = await signedInAccount(emulator, "reverify-mfa");
    const created = await a.b.call("POST", a.me("/totp"));
    const secret: string = created.body.response.secret;
    const enrolled = await a.b.call("POST", a.me("/totp/attempt_verification"), {
      code: totpCode(secret),
    });
    const backupCodes: string[] = enrolled.body.response.backup_codes;
    expect(await age(a, 15)).toEqual([15, 15]);

    const multi = await a.b.call("POST", verify(a), { level: "multi_factor" });
    expect(multi.body.response).toMatchObject({
      level: "multi_factor",
      status: "needs_first_factor",
      supported_second_factors: [{ strategy: "totp" }, { strategy: "backup_code" }],
    });
    const early = await a.b.call("POST", verify(a, "/attempt_second_factor"), {
      strategy: "totp",
      code: totpCode(secret, Date.now() + NEXT_STEP_MS),
    });
    expect(early.status).toBe(422);
    const first = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "password",
      password: a.password,
    });
    expect(first.body.response).toMatchObject({
      status: "needs_second_factor",
      session: { factor_verification_age: [0, 15] },
    });
    const second = await a.b.call("POST", verify(a, "/attempt_second_factor"), {
      strategy: "totp",
      code: totpCode(secret, Date.now() + NEXT_STEP_MS),
    });
    expect(second.body.response).toMatchObject({
      status: "complete",
      second_factor_verification: { object: "verification_totp", status: "verified" },
      session: { factor_verification_age: [0, 0] },
    });

    await age(a, 15);
    const secondOnly = await a.b.call("POST", verify(a), { level: "second_factor" });
    expect(secondOnly.body.response).toMatchObject({
      level: "second_factor",
      status: "needs_second_factor",
    });
    const backup = await a.b.call("POST", verify(a, "/attempt_second_factor"), {
      strategy: "backup_code",
      code: backupCodes[0] as string,
    });
    // The second factor is fresh, the first as old as before.
    expect(backup.body.response.session.factor_verification_age).toEqual([15, 0]);
    // A used backup code is gone from the Backend API's view too.
    const verifiedAgain = clerkFor(emulator.url).users.verifyTOTP({
      userId: a.userId,
      code: backupCodes[0] as string,
    });
    await expect(verifiedAgain).rejects.toMatchObject({ status: 422 });
  });

  it("refuses a step of a reverification never started, and a level Clerk does not have", async () => {
    const a = await signedInAccount(emulator, "reverify-errors");
    const none = await a.b.call("POST", verify(a, "/attempt_first_factor"), {
      strategy: "password",
      password: a.password,
    });
    expect(none.status).toBe(422);
    const level = await a.b.call("POST", verify(a), { level: "third_factor" });
    expect(level.status).toBe(422);
    expect(level.body.errors[0].meta.param_name).toBe("level");
  });
});
