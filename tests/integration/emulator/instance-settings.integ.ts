import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InstanceSettings, readInstanceSettings } from "../../../clerk/instance-settings";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { mailboxCode } from "../../support/mailbox";

// An emulator started from a settings file other than the default: what the environment says, what
// a sign-up asks for and which factors a sign-in takes follow the file; the helper clerk:configure
// uses replaces the settings at run time.
const dir = mkdtempSync(path.join(tmpdir(), "instance-settings-"));
const declared = readInstanceSettings();
const codesOnly: InstanceSettings = {
  ...structuredClone(declared),
  first_factors: {
    password: false,
    email_code: true,
    email_link: false,
    phone_code: false,
    passkey: false,
  },
  social_connections: {},
  requirements: { mfa_required: false, device_trust: false, legal_consent: false },
};

let emulator: EmulatorProcess;

beforeAll(async () => {
  const file = path.join(dir, "codes-only.json");
  writeFileSync(file, JSON.stringify(codesOnly));
  emulator = await startEmulatorProcess({ env: { EMULATOR_INSTANCE_SETTINGS: file } });
});
afterAll(async () => {
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  rmSync(dir, { recursive: true, force: true });
});

async function environment() {
  const b = await fapiBrowser(emulator.frontendUrl);
  return (await b.call("GET", "/v1/environment")).body;
}

describe("an instance without passwords", () => {
  it("offers email codes only", async () => {
    const env = await environment();
    expect(env.user_settings.attributes.password.enabled).toBe(false);
    expect(env.user_settings.social).toEqual({});
    expect(env.auth_config.first_factors).toEqual(["email_code"]);
  });

  it("signs up with an email and its code alone, and refuses a password", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const email = `${unique("codes")}@example.com`;
    const refused = await b.call("POST", "/v1/client/sign_ups", {
      email_address: email,
      password: "long-enough-pw",
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({
      code: "form_param_unknown",
      meta: { param_name: "password" },
    });
    const created = await b.call("POST", "/v1/client/sign_ups", { email_address: email });
    expect(created.body.response).toMatchObject({
      required_fields: ["email_address"],
      missing_fields: [],
      unverified_fields: ["email_address"],
    });
    const id = created.body.response.id;
    await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_code",
    });
    const done = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
      strategy: "email_code",
      code: (await mailboxCode(emulator.url, email)) as string,
    });
    expect(done.body.response.status).toBe("complete");
    expect(done.body.client.sessions[0].user.password_enabled).toBe(false);
  });

  it("signs a user who has a password in with a code, never with the password", async () => {
    const email = `${unique("had-password")}@example.com`;
    await clerkFor(emulator.url).users.createUser({
      emailAddress: [email],
      password: "right-password-1",
    });
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    expect(
      started.body.response.supported_first_factors.map((f: { strategy: string }) => f.strategy),
    ).toEqual(["email_code"]);
    const id = started.body.response.id;
    const password = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "password",
      password: "right-password-1",
    });
    expect(password.status).toBe(422);
    expect(password.body.errors[0]).toMatchObject({
      code: "strategy_for_user_invalid",
      meta: { param_name: "strategy" },
    });
    const reset = await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "reset_password_email_code",
    });
    expect(reset.status).toBe(422);
  });
});

describe("PUT /__emulator/instance_settings", () => {
  it("refuses a bad declaration naming each problem, and changes nothing", async () => {
    const bad = structuredClone(declared);
    bad.identifiers.username = { enabled: false, required: true, sign_in: false };
    const res = await emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", bad);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { long_message: string }) => e.long_message)).toEqual([
      "identifiers.username: is required or used to sign in, so it must be enabled",
    ]);
    expect((await environment()).user_settings.attributes.password.enabled).toBe(false);
  });

  it("replaces the settings at once, and says what it cannot serve (nothing of the default)", async () => {
    const res = await emulatorRequest(
      emulator.url,
      "PUT",
      "/__emulator/instance_settings",
      declared,
    );
    expect(res.status).toBe(200);
    expect(res.body.declared).toEqual(declared);
    expect(res.body.not_emulated).toEqual([]);
    expect((await environment()).user_settings.attributes.password.enabled).toBe(true);
    const back = await emulatorRequest(
      emulator.url,
      "PUT",
      "/__emulator/instance_settings",
      codesOnly,
    );
    expect(back.body.offered.first_factors.password).toBe(false);
  });
});

it("refuses to start from an invalid settings file, naming the problem", async () => {
  const file = path.join(dir, "invalid.json");
  writeFileSync(file, JSON.stringify({ ...declared, requirements: { mfa_required: "yes" } }));
  await expect(
    startEmulatorProcess({
      dataDir: path.join(dir, "never-started"),
      env: { EMULATOR_INSTANCE_SETTINGS: file },
    }),
  ).rejects.toThrow(/invalid instance settings[\s\S]*requirements\.mfa_required/);
});

describe("an instance that asks for consent to its legal documents", () => {
  const withConsent: InstanceSettings = {
    ...structuredClone(codesOnly),
    requirements: { ...codesOnly.requirements, legal_consent: true },
  };
  const put = (settings: InstanceSettings) =>
    emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", settings);
  beforeAll(async () => {
    expect((await put(withConsent)).status).toBe(200);
  });
  afterAll(async () => {
    await put(codesOnly);
  });

  it("tells <SignUp/> to ask, with the app's terms and privacy pages", async () => {
    const env = await environment();
    expect(env.user_settings.sign_up.legal_consent_enabled).toBe(true);
    expect(env.display_config).toMatchObject({
      terms_url: "http://localhost:3000/legal/terms",
      privacy_policy_url: "http://localhost:3000/legal/privacy",
    });
  });

  it("completes a sign-up only once the person accepts, and keeps when they did", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const email = `${unique("consent")}@example.com`;
    const created = await b.call("POST", "/v1/client/sign_ups", { email_address: email });
    expect(created.body.response).toMatchObject({
      required_fields: ["email_address", "legal_accepted"],
      missing_fields: ["legal_accepted"],
      legal_accepted_at: null,
    });
    const id = created.body.response.id;
    await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_code",
    });
    const verified = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
      strategy: "email_code",
      code: (await mailboxCode(emulator.url, email)) as string,
    });
    // The address is proved, but nobody has agreed to anything yet.
    expect(verified.body.response).toMatchObject({
      status: "missing_requirements",
      missing_fields: ["legal_accepted"],
      unverified_fields: [],
    });
    const before = Date.now();
    const accepted = await b.call("PATCH", `/v1/client/sign_ups/${id}`, { legal_accepted: "true" });
    expect(accepted.body.response.status).toBe("complete");
    const user = await clerkFor(emulator.url).users.getUser(accepted.body.response.created_user_id);
    expect(user.legalAcceptedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(accepted.body.client.sessions[0].user.legal_accepted_at).toBe(user.legalAcceptedAt);
  });

  it("asks nothing of the kind when the instance does not", async () => {
    await put(codesOnly);
    try {
      const b = await fapiBrowser(emulator.frontendUrl);
      const created = await b.call("POST", "/v1/client/sign_ups", {
        email_address: `${unique("no-consent")}@example.com`,
      });
      expect(created.body.response.required_fields).toEqual(["email_address"]);
      expect((await environment()).display_config.terms_url).toBeNull();
    } finally {
      await put(withConsent);
    }
  });
});
