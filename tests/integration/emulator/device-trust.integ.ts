import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { mailbox } from "../../support/mailbox";

// Device Trust (formerly Client Trust), as Clerk does it for applications created since
// 14 November 2025: a password sign-in on a browser (client) the user never had a session on
// stops at `needs_client_trust` until the code emailed to them is entered; the browser is known
// from then on.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

const PASSWORD = "device-trust-pw-1";

async function user(email: string) {
  await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
}

describe("Device Trust", () => {
  it("asks a password sign-in on a new browser for the emailed code, then knows the browser", async () => {
    const email = `${unique("new-device")}@example.com`;
    await user(email);
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      password: PASSWORD,
    });
    const signIn = started.body.response;
    expect(signIn).toMatchObject({
      status: "needs_client_trust",
      client_trust_state: "new",
      first_factor_verification: { strategy: "password", status: "verified" },
      supported_second_factors: [{ strategy: "email_code", safe_identifier: email, primary: true }],
      created_session_id: null,
    });
    expect(started.body.client.sessions).toEqual([]);
    const path = (step: string) => `/v1/client/sign_ins/${signIn.id}/${step}`;

    const unprepared = await b.call("POST", path("attempt_second_factor"), {
      strategy: "email_code",
      code: "123456",
    });
    expect(unprepared.status).toBe(422);
    // Device Trust's step is a code, never the user's (absent) authenticator app.
    const totp = await b.call("POST", path("attempt_second_factor"), {
      strategy: "totp",
      code: "123456",
    });
    expect(totp.status).toBe(422);

    await b.call("POST", path("prepare_second_factor"), {
      strategy: "email_code",
      email_address_id: signIn.supported_second_factors[0].email_address_id,
    });
    const [mail] = await mailbox(emulator.url, email);
    expect(mail?.subject).toMatch(/new device/);
    const wrong = await b.call("POST", path("attempt_second_factor"), {
      strategy: "email_code",
      code: mail?.code === "000000" ? "111111" : "000000",
    });
    expect(wrong.body.errors[0]).toMatchObject({ code: "form_code_incorrect" });
    const done = await b.call("POST", path("attempt_second_factor"), {
      strategy: "email_code",
      code: mail?.code as string,
    });
    expect(done.body.response.status).toBe("complete");
    expect(done.body.client.sessions).toHaveLength(1);

    // Signed out and in again on the same browser: known, one step.
    await b.call("DELETE", "/v1/client/sessions");
    const identified = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    expect(identified.body.response.client_trust_state).toBe("known");
    const again = await b.call(
      "POST",
      `/v1/client/sign_ins/${identified.body.response.id}/attempt_first_factor`,
      { strategy: "password", password: PASSWORD },
    );
    expect(again.body.response.status).toBe("complete");
  });

  it("takes 424242 for a +clerk_test address, as Clerk's development instances do", async () => {
    const email = `${unique("test-address")}+clerk_test@example.com`;
    await user(email);
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      password: PASSWORD,
    });
    const id = started.body.response.id;
    await b.call("POST", `/v1/client/sign_ins/${id}/prepare_second_factor`, {
      strategy: "email_code",
    });
    const done = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_second_factor`, {
      strategy: "email_code",
      code: "424242",
    });
    expect(done.body.response.status).toBe("complete");
  });

  it("asks nothing more of a code sign-in, nor of a password sign-in where the user signed up", async () => {
    const email = `${unique("passwordless")}+clerk_test@example.com`;
    await user(email);
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      strategy: "email_code",
    });
    const done = await b.call(
      "POST",
      `/v1/client/sign_ins/${started.body.response.id}/attempt_first_factor`,
      { strategy: "email_code", code: "424242" },
    );
    expect(done.body.response.status).toBe("complete");

    const signedUp = `${unique("signed-up")}+clerk_test@example.com`;
    const browser = await fapiBrowser(emulator.frontendUrl);
    const signUp = await browser.call("POST", "/v1/client/sign_ups", {
      email_address: signedUp,
      password: PASSWORD,
    });
    const id = signUp.body.response.id;
    await browser.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_code",
    });
    await browser.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
      strategy: "email_code",
      code: "424242",
    });
    await browser.call("DELETE", "/v1/client/sessions");
    const back = await browser.call("POST", "/v1/client/sign_ins", {
      identifier: signedUp,
      password: PASSWORD,
    });
    expect(back.body.response.status).toBe("complete");
  });
});
