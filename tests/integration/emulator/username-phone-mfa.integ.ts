import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique, uniqueTestPhoneNumber } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser } from "../../support/fapi-browser";
import { mailbox } from "../../support/mailbox";

// The second instance configuration (clerk/instance-settings.username-phone-mfa.json): usernames
// and phone numbers as identifiers, SMS codes as a first and a second factor, MFA required. A
// sign-up proves its address and its number, and its session stays pending (Clerk's `setup-mfa`
// task) until a second factor is set up; the user then signs in by username or by phone number,
// and always with a second step.
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    env: { EMULATOR_INSTANCE_SETTINGS: "clerk/instance-settings.username-phone-mfa.json" },
  });
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

const PASSWORD = "username-phone-pw-1";

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

async function signUp(b: FapiBrowser) {
  const username = unique("user").replaceAll("-", "_").toLowerCase().slice(0, 40);
  const email = `${unique("signup")}+clerk_test@example.com`;
  const phone = uniqueTestPhoneNumber();
  const started = await b.call("POST", "/v1/client/sign_ups", {
    email_address: email,
    username,
    phone_number: phone,
    password: PASSWORD,
  });
  // This instance requires a first and last name: a sign-up without them says so.
  expect(started.body.response).toMatchObject({
    required_fields: ["email_address", "username", "first_name", "last_name", "password"],
    optional_fields: ["phone_number"],
    missing_fields: ["first_name", "last_name"],
    unverified_fields: ["email_address", "phone_number"],
    username,
    phone_number: phone,
  });
  const id = started.body.response.id;
  for (const strategy of ["email_code", "phone_code"]) {
    await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, { strategy });
  }
  const afterEmail = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
    strategy: "email_code",
    code: "424242",
  });
  expect(afterEmail.body.response.unverified_fields).toEqual(["phone_number"]);
  const verified = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
    strategy: "phone_code",
    code: "424242",
  });
  // Every identifier proved, but still no name: no user yet.
  expect(verified.body.response).toMatchObject({
    status: "missing_requirements",
    missing_fields: ["first_name", "last_name"],
    unverified_fields: [],
    created_user_id: null,
  });
  const halfNamed = await b.call("PATCH", `/v1/client/sign_ups/${id}`, { first_name: "Grace" });
  expect(halfNamed.body.response).toMatchObject({
    status: "missing_requirements",
    first_name: "Grace",
    missing_fields: ["last_name"],
  });
  const done = await b.call("PATCH", `/v1/client/sign_ups/${id}`, { last_name: "Hopper" });
  expect(done.body.response).toMatchObject({ status: "complete", missing_fields: [] });
  return { username, email, phone, done: done.body };
}

describe("username + phone + MFA required", () => {
  it("offers usernames, phone numbers and SMS codes, and requires a second factor", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const env = (await b.call("GET", "/v1/environment")).body;
    expect(env.auth_config.identification_strategies).toEqual(
      expect.arrayContaining(["email_address", "phone_number", "username"]),
    );
    expect(env.user_settings.attributes.username).toMatchObject({ enabled: true, required: true });
    for (const name of ["first_name", "last_name"]) {
      expect(env.user_settings.attributes[name]).toMatchObject({ enabled: true, required: true });
      expect(env.auth_config[name]).toBe("required");
    }
    expect(env.user_settings.attributes.phone_number).toMatchObject({
      enabled: true,
      used_for_first_factor: true,
      first_factors: ["phone_code"],
      second_factors: ["phone_code"],
    });
    expect(env.user_settings.sign_in.second_factor.required).toBe(true);
    expect(env.auth_config.second_factors).toEqual(["totp", "backup_code", "phone_code"]);
  });

  it("signs up pending (setup-mfa) until a number is reserved for SMS codes, then signs in by username and by phone with a second step", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const { username, phone, done } = await signUp(b);
    const [session] = done.client.sessions;
    expect(session).toMatchObject({ status: "pending", tasks: [{ key: "setup-mfa" }] });
    expect(claimsOf(session.last_active_token.jwt).sts).toBe("pending");
    // Clerk's SDK treats a pending session as signed out (treatPendingAsSignedOut).
    const clerk = clerkFor(emulator.url);
    const pendingAuth = await clerk.authenticateRequest(
      new Request("http://localhost:3000/", {
        headers: { authorization: `Bearer ${session.last_active_token.jwt}` },
      }),
    );
    expect(pendingAuth.toAuth()?.isAuthenticated).toBe(false);

    const me = (path: string) => `/v1/me${path}?_clerk_session_id=${session.id}`;
    const user = done.client.sessions[0].user;
    expect(user).toMatchObject({
      username,
      first_name: "Grace",
      last_name: "Hopper",
      two_factor_enabled: false,
    });
    const reserved = await b.call("PATCH", me(`/phone_numbers/${user.phone_numbers[0].id}`), {
      reserved_for_second_factor: "true",
    });
    expect(reserved.body.response.backup_codes).toHaveLength(10);
    const active = reserved.body.client.sessions[0];
    expect(active).toMatchObject({ status: "active", tasks: null });
    expect(claimsOf(active.last_active_token.jwt).sts).toBe("active");
    // The last second factor stays while MFA is required.
    const removal = await b.call("DELETE", me(`/phone_numbers/${user.phone_numbers[0].id}`));
    expect(removal.status).toBe(403);

    const byUsername = await fapiBrowser(emulator.frontendUrl);
    const started = await byUsername.call("POST", "/v1/client/sign_ins", {
      identifier: username.toUpperCase(),
      password: PASSWORD,
    });
    expect(started.body.response).toMatchObject({
      status: "needs_second_factor",
      identifier: username,
      supported_second_factors: [
        { strategy: "phone_code", safe_identifier: phone, default: true },
        { strategy: "backup_code" },
      ],
    });
    const id = started.body.response.id;
    await byUsername.call("POST", `/v1/client/sign_ins/${id}/prepare_second_factor`, {
      strategy: "phone_code",
    });
    const second = await byUsername.call(
      "POST",
      `/v1/client/sign_ins/${id}/attempt_second_factor`,
      {
        strategy: "phone_code",
        code: "424242",
      },
    );
    expect(second.body.client.sessions[0]).toMatchObject({ status: "active" });

    const byPhone = await fapiBrowser(emulator.frontendUrl);
    const identified = await byPhone.call("POST", "/v1/client/sign_ins", { identifier: phone });
    const phoneFactor = identified.body.response.supported_first_factors.find(
      (f: { strategy: string }) => f.strategy === "phone_code",
    );
    expect(phoneFactor).toMatchObject({ safe_identifier: phone, primary: true });
    const pid = identified.body.response.id;
    await byPhone.call("POST", `/v1/client/sign_ins/${pid}/prepare_first_factor`, {
      strategy: "phone_code",
      phone_number_id: phoneFactor.phone_number_id,
    });
    const texts = await mailbox(emulator.url, phone);
    expect(texts.at(-1)?.subject).toMatch(/sign-in/);
    const first = await byPhone.call("POST", `/v1/client/sign_ins/${pid}/attempt_first_factor`, {
      strategy: "phone_code",
      code: "424242",
    });
    expect(first.body.response.status).toBe("needs_second_factor");
  });

  it("refuses a username taken, too short or all digits, and an unknown one at sign-in", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const { username } = await signUp(b);
    const other = await fapiBrowser(emulator.frontendUrl);
    const refuse = async (value: string) =>
      (await other.call("POST", "/v1/client/sign_ups", { username: value })).body.errors[0];
    expect(await refuse(username.toUpperCase())).toMatchObject({
      code: "form_identifier_exists",
      meta: { param_name: "username" },
    });
    expect(await refuse("abc")).toMatchObject({ code: "form_username_invalid_length" });
    expect(await refuse("12345")).toMatchObject({ code: "form_username_needs_non_number_char" });
    expect(await refuse("with space")).toMatchObject({ code: "form_username_invalid_character" });
    const unknown = await other.call("POST", "/v1/client/sign_ins", { identifier: "nobody_here" });
    expect(unknown.body.errors[0].code).toBe("form_identifier_not_found");
  });
});
