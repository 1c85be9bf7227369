import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { type SignedInAccount, signedInAccount } from "../../support/fapi-sign-in";
import { softwareAuthenticator } from "../../support/software-authenticator";

// Passkeys as clerk-js registers them (`user.createPasskey()`: create, then the browser's
// attestation) and signs in with them (`signIn.authenticateWithPasskey()`, with an identifier or
// discoverable), verified by the emulator with @simplewebauthn/server against the app's origin
// (EMULATOR_AUTHORIZED_PARTY, here http://localhost:3000, RP ID `localhost`). A software
// authenticator stands in for the browser's.
const APP_ORIGIN = "http://localhost:3000";
let emulator: EmulatorProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess({ env: { EMULATOR_AUTHORIZED_PARTY: APP_ORIGIN } });
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

// @clerk/backend's User (and its UserJSON type) leaves out the passkeys Clerk's JSON carries.
const passkeysOf = (user: { raw: unknown }) =>
  (user.raw as { passkeys: { name: string }[] }).passkeys;

async function registered(label: string) {
  const a = await signedInAccount(emulator, label);
  const authenticator = softwareAuthenticator(APP_ORIGIN);
  const created = await a.b.call("POST", a.me("/passkeys"));
  const passkey = created.body.response;
  const done = await a.b.call("POST", a.me(`/passkeys/${passkey.id}/attempt_verification`), {
    strategy: "passkey",
    public_key_credential: authenticator.register(passkey.verification.nonce),
  });
  expect(done.status).toBe(200);
  return { a, authenticator, passkey: done.body.response };
}

const signInWith = async (
  a: SignedInAccount,
  authenticator: ReturnType<typeof softwareAuthenticator>,
  body: Record<string, string>,
) => {
  const b = await fapiBrowser(emulator.frontendUrl, APP_ORIGIN);
  const started = await b.call("POST", "/v1/client/sign_ins", body);
  let signIn = started.body.response;
  if (!signIn.first_factor_verification) {
    const prepared = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/prepare_first_factor`, {
      strategy: "passkey",
    });
    signIn = prepared.body.response;
  }
  const nonce = signIn.first_factor_verification.nonce;
  return {
    b,
    signIn,
    nonce,
    attempt: (credential = authenticator.assert(nonce)) =>
      b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_first_factor`, {
        strategy: "passkey",
        public_key_credential: credential,
      }),
    a,
  };
};

describe("passkeys", () => {
  it("registers a passkey from the creation options the emulator hands out", async () => {
    const a = await signedInAccount(emulator, "register");
    const created = await a.b.call("POST", a.me("/passkeys"));
    const passkey = created.body.response;
    expect(passkey).toMatchObject({
      object: "passkey",
      verification: { object: "verification_passkey", status: "unverified", strategy: "passkey" },
    });
    const options = JSON.parse(passkey.verification.nonce);
    expect(options).toMatchObject({
      rp: { id: "localhost" },
      user: { name: a.email },
      attestation: "none",
      authenticatorSelection: { residentKey: "required" },
    });
    // Unregistered, it is not the user's yet.
    expect(created.body.client.sessions[0].user.passkeys).toEqual([]);

    const authenticator = softwareAuthenticator(APP_ORIGIN);
    const attestation = authenticator.register(passkey.verification.nonce);
    // An attestation made for another site does not register.
    const phishing = softwareAuthenticator("http://localhost:6666");
    const refused = await a.b.call("POST", a.me(`/passkeys/${passkey.id}/attempt_verification`), {
      strategy: "passkey",
      public_key_credential: phishing.register(passkey.verification.nonce),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ code: "passkey_invalid" });
    expect(
      (
        await a.b.call("POST", a.me(`/passkeys/${passkey.id}/attempt_verification`), {
          strategy: "passkey",
          public_key_credential: "not json",
        })
      ).status,
    ).toBe(400);

    const done = await a.b.call("POST", a.me(`/passkeys/${passkey.id}/attempt_verification`), {
      strategy: "passkey",
      public_key_credential: attestation,
    });
    expect(done.body.response.verification).toMatchObject({ status: "verified" });
    expect(done.body.client.sessions[0].user.passkeys).toHaveLength(1);

    const renamed = await a.b.call("PATCH", a.me(`/passkeys/${passkey.id}`), {
      name: "Work laptop",
    });
    expect(renamed.body.response.name).toBe("Work laptop");
    const user = await clerkFor(emulator.url).users.getUser(a.userId);
    expect(passkeysOf(user).map((p) => p.name)).toEqual(["Work laptop"]);
  });

  it("signs in with a passkey with and without an identifier (discoverable), both factors at once", async () => {
    const { a, authenticator } = await registered("sign-in");
    const identified = await signInWith(a, authenticator, { identifier: a.email });
    expect(identified.signIn.supported_first_factors[0]).toEqual({ strategy: "passkey" });
    expect(JSON.parse(identified.nonce).allowCredentials).toEqual([
      expect.objectContaining({ id: authenticator.credentialId }),
    ]);
    const done = await identified.attempt();
    expect(done.body.response).toMatchObject({
      status: "complete",
      first_factor_verification: { object: "verification_passkey", status: "verified" },
    });

    const discoverable = await signInWith(a, authenticator, { strategy: "passkey" });
    expect(discoverable.signIn).toMatchObject({ status: "needs_first_factor", identifier: null });
    expect(JSON.parse(discoverable.nonce).allowCredentials).toEqual([]);
    const found = await discoverable.attempt();
    expect(found.body.response).toMatchObject({ status: "complete", identifier: a.email });
    expect(found.body.client.sessions[0].user.id).toBe(a.userId);
    expect(found.body.client.sessions[0].user.passkeys[0].last_used_at).toBeGreaterThan(0);
  });

  it("refuses a replayed assertion, one for another origin, and an unknown passkey", async () => {
    const { a, authenticator } = await registered("refusals");
    const first = await signInWith(a, authenticator, { strategy: "passkey" });
    const assertion = authenticator.assert(first.nonce);
    expect((await first.attempt(assertion)).body.response.status).toBe("complete");
    // The same signature again, on another sign-in: the challenge (and counter) no longer match.
    const replay = await signInWith(a, authenticator, { strategy: "passkey" });
    expect((await replay.attempt(assertion)).body.errors[0].code).toBe("passkey_invalid");

    const elsewhere = await signInWith(a, authenticator, { strategy: "passkey" });
    const wrongOrigin = authenticator.assert(elsewhere.nonce, { origin: "http://localhost:6666" });
    expect((await elsewhere.attempt(wrongOrigin)).status).toBe(400);

    const stranger = softwareAuthenticator(APP_ORIGIN);
    stranger.register(
      JSON.stringify({ challenge: "x", rp: { id: "localhost" }, user: { id: "u" } }),
    );
    const unknown = await signInWith(a, authenticator, { strategy: "passkey" });
    const res = await unknown.attempt(stranger.assert(unknown.nonce));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].code).toBe("form_identifier_not_found");
  });

  it("reverifies with a passkey, and removes it (Frontend and Backend API)", async () => {
    const { a, authenticator, passkey } = await registered("reverify");
    const verify = (step = "") => `/v1/client/sessions/${a.sessionId}/verify${step}`;
    const started = await a.b.call("POST", verify(), { level: "first_factor" });
    expect(started.body.response.supported_first_factors[0]).toEqual({ strategy: "passkey" });
    const prepared = await a.b.call("POST", verify("/prepare_first_factor"), {
      strategy: "passkey",
    });
    const nonce = prepared.body.response.first_factor_verification.nonce;
    const done = await a.b.call("POST", verify("/attempt_first_factor"), {
      strategy: "passkey",
      public_key_credential: authenticator.assert(nonce),
    });
    expect(done.body.response.status).toBe("complete");

    const removed = await a.b.call("DELETE", a.me(`/passkeys/${passkey.id}`));
    expect(removed.body.response).toMatchObject({ object: "passkey", deleted: true });
    expect(removed.body.client.sessions[0].user.passkeys).toEqual([]);

    const other = await registered("bapi-delete");
    const clerk = clerkFor(emulator.url);
    await expect(
      clerk.users.deleteUserPasskey({
        userId: other.a.userId,
        passkeyIdentificationId: other.passkey.id,
      }),
    ).resolves.toMatchObject({ deleted: true });
    expect(passkeysOf(await clerk.users.getUser(other.a.userId))).toEqual([]);
  });
});
