import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InstanceSettings, readInstanceSettings } from "../../../clerk/instance-settings";
import { clerkFor, emulatorRequest, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { mailboxCode } from "../../support/mailbox";
import { throughStandIn } from "../../support/oauth-stand-in";

// Clerk's documented custom flows (clerk-docs guides/development/custom-flows), call for call as
// clerk-js sends them: the legacy forgot-password flow, useAPIKeys() without a subject, and
// signing up and in by username.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
const declared = readInstanceSettings();

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

async function signInWithPassword(email: string, password: string) {
  const b = await fapiBrowser(emulator.frontendUrl);
  return b.call("POST", "/v1/client/sign_ins", { identifier: email, password });
}

describe("the legacy forgot-password flow", () => {
  it("sends the code on create, and the attempt with the new password signs in", async () => {
    const email = `${unique("forgot")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email], password: "old-password-1" });
    const b = await fapiBrowser(emulator.frontendUrl);
    // signIn.create({ strategy: 'reset_password_email_code', identifier })
    const created = await b.call("POST", "/v1/client/sign_ins", {
      strategy: "reset_password_email_code",
      identifier: email,
    });
    expect(created.body.response.first_factor_verification).toMatchObject({
      status: "unverified",
      strategy: "reset_password_email_code",
    });
    const code = (await mailboxCode(emulator.url, email)) as string;
    expect(code).toMatch(/^\d{6}$/);
    const id = created.body.response.id;

    // A password too short is refused first, and the code is still good.
    const short = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code,
      password: "short",
    });
    expect(short.body.errors[0]).toMatchObject({
      code: "form_password_length_too_short",
      meta: { param_name: "password" },
    });
    // signIn.attemptFirstFactor({ strategy: 'reset_password_email_code', code, password })
    const reset = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "reset_password_email_code",
      code,
      password: "new-password-1",
    });
    expect(reset.body.response).toMatchObject({ status: "complete" });
    expect(reset.body.client.sessions[0].id).toBe(reset.body.response.created_session_id);

    expect((await signInWithPassword(email, "old-password-1")).body.errors[0].code).toBe(
      "form_password_incorrect",
    );
    expect((await signInWithPassword(email, "new-password-1")).body.response.status).toBe(
      "complete",
    );
  });
});

describe("useAPIKeys() without a subject", () => {
  async function listKeys(token: string) {
    // What the hook sends: `subject=` empty (and `query=`), with the session token as bearer.
    const res = await fetch(`${emulator.frontendUrl}/api_keys?subject=&query=&limit=10&offset=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { name: string; subject: string }[] }).data;
  }

  it("lists the active organization's keys, else the user's own", async () => {
    const user = await clerk.users.createUser({
      emailAddress: [`${unique("hook")}@example.com`],
      password: "long-enough-1",
    });
    const org = await clerk.organizations.createOrganization({
      name: unique("Hooked"),
      createdBy: user.id,
    });
    await clerk.apiKeys.create({ name: "the organization's", subject: org.id });
    await clerk.apiKeys.create({ name: "mine", subject: user.id });

    const inOrg = await mintSession(emulator.url, { user_id: user.id, organization_id: org.id });
    expect((await listKeys(inOrg.token)).map((k) => [k.name, k.subject])).toEqual([
      ["the organization's", org.id],
    ]);
    const personal = await mintSession(emulator.url, { user_id: user.id });
    expect((await listKeys(personal.token)).map((k) => [k.name, k.subject])).toEqual([
      ["mine", user.id],
    ]);
    // A server must still name the subject.
    const fromServer = await emulatorRequest(emulator.url, "GET", "/api_keys?subject=");
    expect(fromServer.status).toBe(400);
  });
});

describe("signing up and in by username", () => {
  const withUsernames: InstanceSettings = {
    ...structuredClone(declared),
    identifiers: {
      ...structuredClone(declared.identifiers),
      email_address: { ...declared.identifiers.email_address, required: false },
      username: { enabled: true, required: true, sign_in: true },
    },
  };
  beforeAll(async () => {
    const res = await emulatorRequest(
      emulator.url,
      "PUT",
      "/__emulator/instance_settings",
      withUsernames,
    );
    expect(res.status).toBe(200);
  });
  afterAll(() => emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", declared));

  it("offers username as a sign-in identifier and a required sign-up field", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const env = (await b.call("GET", "/v1/environment")).body;
    expect(env.user_settings.attributes.username).toMatchObject({
      enabled: true,
      required: true,
      used_for_first_factor: true,
    });
    expect(env.auth_config.identification_strategies).toContain("username");
  });

  it("signs up with a username and password only, then signs in with them", async () => {
    const username = unique("Ada").replace(/[^a-zA-Z0-9-]/g, "-");
    const b = await fapiBrowser(emulator.frontendUrl);
    // signUp.create({ username, password })
    const created = await b.call("POST", "/v1/client/sign_ups", {
      username,
      password: "long-enough-1",
    });
    expect(created.body.response).toMatchObject({
      status: "complete",
      username: username.toLowerCase(),
      required_fields: ["username", "password"],
    });
    const user = created.body.client.sessions[0].user;
    expect(user).toMatchObject({ username: username.toLowerCase(), email_addresses: [] });
    expect((await clerk.users.getUser(user.id)).username).toBe(username.toLowerCase());

    const signedIn = await signInWithPassword(username.toUpperCase(), "long-enough-1");
    expect(signedIn.body.response).toMatchObject({
      status: "complete",
      identifier: username.toUpperCase().trim().toLowerCase(),
      supported_identifiers: ["email_address", "username"],
    });

    const taken = await (await fapiBrowser(emulator.frontendUrl)).call(
      "POST",
      "/v1/client/sign_ups",
      { username, password: "long-enough-1" },
    );
    expect(taken.body.errors[0]).toMatchObject({
      code: "form_identifier_exists",
      meta: { param_name: "username" },
    });
  });

  it("asks for the username a sign-up lacks, and refuses malformed ones with Clerk's codes", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const email = `${unique("needs-username")}@example.com`;
    const created = await b.call("POST", "/v1/client/sign_ups", {
      email_address: email,
      password: "long-enough-1",
    });
    expect(created.body.response.missing_fields).toEqual(["username"]);
    const id = created.body.response.id;
    for (const [username, code] of [
      ["ab", "form_username_invalid_length"],
      ["ada lovelace", "form_username_invalid_character"],
      ["12345", "form_username_needs_non_number_char"],
    ]) {
      const res = await b.call("PATCH", `/v1/client/sign_ups/${id}`, {
        username: username as string,
      });
      expect(res.body.errors[0]).toMatchObject({ code, meta: { param_name: "username" } });
    }
    const named = await b.call("PATCH", `/v1/client/sign_ups/${id}`, {
      username: unique("lovelace").replace(/[^a-z0-9-]/g, "-"),
    });
    expect(named.body.response).toMatchObject({
      missing_fields: [],
      unverified_fields: ["email_address"],
    });
  });

  it("takes a social sign-up's username from GitHub, and asks for one Google does not give", async () => {
    const socialSignUp = async (strategy: string, typed: Record<string, string>) => {
      const b = await fapiBrowser(emulator.frontendUrl);
      const created = await b.call("POST", "/v1/client/sign_ups", {
        strategy,
        redirect_url: "http://localhost:3000/sign-up/sso-callback",
      });
      await throughStandIn(
        created.body.response.verifications.external_account.external_verification_redirect_url,
        { typed: { email_address: `${unique("social-username")}@example.com`, ...typed } },
      );
      return { b, signUp: (await b.call("GET", "/v1/client")).body.response.sign_up };
    };
    const login = unique("octo").replace(/[^a-z0-9-]/g, "-");
    const fromGitHub = await socialSignUp("oauth_github", { username: login });
    expect(fromGitHub.signUp).toMatchObject({ status: "complete", username: login });

    const fromGoogle = await socialSignUp("oauth_google", {});
    expect(fromGoogle.signUp).toMatchObject({
      status: "missing_requirements",
      missing_fields: ["username"],
      verifications: { external_account: { status: "verified" } },
    });
    const named = await fromGoogle.b.call("PATCH", `/v1/client/sign_ups/${fromGoogle.signUp.id}`, {
      username: unique("googler").replace(/[^a-z0-9-]/g, "-"),
    });
    expect(named.body.response.status).toBe("complete");
  });
});
