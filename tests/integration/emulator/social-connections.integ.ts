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
import { signInWithPassword } from "../../support/fapi-sign-in";
import { throughStandIn } from "../../support/oauth-stand-in";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Social connections as clerk-js drives them (support/fapi-browser.ts), through the emulator's
// stand-in provider page and the Frontend API's OAuth callback; the Backend API through the real
// @clerk/backend. Every Frontend API answer is held to the FAPI spec, every Backend API answer to
// the BAPI spec.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

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

const APP = "http://localhost:3000";
const SIGN_IN_CALLBACK = `${APP}/sign-in/sso-callback`;
const SIGN_UP_CALLBACK = `${APP}/sign-up/sso-callback`;

const typed = (email: string, extra: Record<string, unknown> = {}) => ({
  typed: { email_address: email, first_name: "Typed", last_name: "Person", ...extra },
});

async function startSocialSignIn(b: FapiBrowser, strategy: string) {
  const res = await b.call("POST", "/v1/client/sign_ins", {
    strategy,
    redirect_url: SIGN_IN_CALLBACK,
    action_complete_redirect_url: `${APP}/dashboard`,
  });
  expect(res.status).toBe(200);
  const verification = res.body.response.first_factor_verification;
  expect(verification).toMatchObject({
    object: "verification_oauth",
    status: "unverified",
    strategy,
  });
  return verification.external_verification_redirect_url as string;
}

async function startSocialSignUp(b: FapiBrowser, strategy: string) {
  const res = await b.call("POST", "/v1/client/sign_ups", {
    strategy,
    redirect_url: SIGN_UP_CALLBACK,
    action_complete_redirect_url: `${APP}/onboarding`,
  });
  expect(res.status).toBe(200);
  expect(res.body.response.verifications.external_account).toMatchObject({
    status: "unverified",
    strategy,
  });
  return res.body.response.verifications.external_account
    .external_verification_redirect_url as string;
}

const client = async (b: FapiBrowser) => (await b.call("GET", "/v1/client")).body.response;
const accountsOf = (user: WireJson) =>
  user.external_accounts.map((a: WireJson) => [a.provider, a.email_address, a.verification.status]);

// The user as the last `type` event about them says, once it has arrived, held to Clerk's webhook
// spec.
async function lastUserEvent(type: string, userId: string, has: (data: WireJson) => boolean) {
  const matching = () =>
    receiver.deliveries.filter(
      (d) => d.type === type && (d.payload.data as WireJson).id === userId,
    );
  await receiver.waitFor(() => matching().some((d) => has(d.payload.data)));
  const last = matching().at(-1);
  expect(validateWebhookPayload(last?.payload)).toMatchObject({ ok: true });
  return last?.payload.data as WireJson;
}

describe("signing up with a social provider", () => {
  it("leaves for the stand-in page, comes back through the callback and creates the user with the account", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const authorize = await startSocialSignUp(b, "oauth_google");
    const url = new URL(authorize);
    expect(url.pathname).toBe("/v1/oauth_stand_in/google/authorize");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      scope: "openid email profile",
      redirect_uri: `${emulator.frontendUrl}/v1/oauth_callback`,
    });

    const { html, landing } = await throughStandIn(authorize, { account: 1 });
    expect(html).toContain("This page is not Google");
    expect(html).toContain("Continue as Ada Lovelace (ada+clerk_test@example.com)");
    // Complete: on to the page after signing up, with the dev browser for the app's handshake.
    expect(landing.origin + landing.pathname).toBe(`${APP}/onboarding`);
    expect(landing.searchParams.get("__clerk_db_jwt")).toBe(b.devBrowser);

    const c = await client(b);
    expect(c.sign_up).toMatchObject({ status: "complete", created_session_id: c.sessions[0].id });
    expect(c.last_authentication_strategy).toBe("oauth_google");
    const user = c.sessions[0].user;
    expect(user).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      password_enabled: false,
    });
    expect(accountsOf(user)).toEqual([["oauth_google", "ada+clerk_test@example.com", "verified"]]);
    expect(user.email_addresses[0]).toMatchObject({
      email_address: "ada+clerk_test@example.com",
      verification: { object: "verification_from_oauth", strategy: "from_oauth_google" },
      linked_to: [{ type: "oauth_google", id: user.external_accounts[0].identification_id }],
    });

    const fromBackend = await clerk.users.getUser(user.id);
    expect(fromBackend.externalAccounts.map((a) => [a.provider, a.emailAddress])).toEqual([
      ["oauth_google", "ada+clerk_test@example.com"],
    ]);
    const tokens = await clerk.users.getUserOauthAccessToken(user.id, "google");
    expect(tokens.data).toEqual([
      expect.objectContaining({
        externalAccountId: user.external_accounts[0].id,
        provider: "oauth_google",
        token: expect.stringMatching(/^emulated_google_/),
        scopes: ["openid", "email", "profile"],
      }),
    ]);
    const created = await lastUserEvent("user.created", user.id, () => true);
    expect(created.external_accounts).toEqual([
      expect.objectContaining({
        provider: "oauth_google",
        provider_user_id: "100000000000000000002",
      }),
    ]);
  });

  it("turns a sign-up whose account already has a user into that user's sign-in (transfer)", async () => {
    const email = `${unique("existing")}+clerk_test@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email], password: "long-enough-1" });
    const b = await fapiBrowser(emulator.frontendUrl);
    const { landing } = await throughStandIn(
      await startSocialSignUp(b, "oauth_github"),
      typed(email),
    );
    expect(landing.toString()).toBe(SIGN_UP_CALLBACK);
    const waiting = await client(b);
    expect(waiting.sign_up.verifications.external_account).toMatchObject({
      status: "transferable",
      error: { code: "external_account_exists" },
    });

    const transfer = await b.call("POST", "/v1/client/sign_ins", { transfer: "true" });
    expect(transfer.body.response.status).toBe("complete");
    expect(transfer.body.client.sessions[0].user.id).toBe(user.id);
    expect(accountsOf(transfer.body.client.sessions[0].user)).toEqual([
      ["oauth_github", email, "verified"],
    ]);
  });
});

describe("signing in with a social provider", () => {
  it("links the account to the user with the same verified address and signs them in", async () => {
    const email = `${unique("linked")}+clerk_test@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email], password: "long-enough-1" });
    const b = await fapiBrowser(emulator.frontendUrl);
    const { landing } = await throughStandIn(
      await startSocialSignIn(b, "oauth_microsoft"),
      typed(email),
    );
    expect(landing.pathname).toBe("/dashboard");

    // The page the browser lands on finds the finished sign-in (what the SSO callback reads).
    const c = await client(b);
    expect(c.sign_in).toMatchObject({ status: "complete", created_session_id: c.sessions[0].id });
    expect(c.last_active_session_id).toBe(c.sessions[0].id);
    expect(c.sessions[0].user.id).toBe(user.id);
    const updated = await lastUserEvent(
      "user.updated",
      user.id,
      (u) => u.external_accounts.length > 0,
    );
    expect(updated.external_accounts).toEqual([
      expect.objectContaining({ provider: "oauth_microsoft", email_address: email }),
    ]);

    // Signed out and back in with the same Microsoft account: the same user, no second account.
    await b.call("DELETE", "/v1/client/sessions");
    expect((await client(b)).sign_in).toBeNull();
    await throughStandIn(await startSocialSignIn(b, "oauth_microsoft"), typed(email));
    const again = await client(b);
    expect(again.sessions[0].user.id).toBe(user.id);
    expect(again.sessions[0].user.external_accounts).toHaveLength(1);
    // The browser remembers how it signed in, across sign-outs: <SignIn/> marks it "Last used".
    expect(again.last_authentication_strategy).toBe("oauth_microsoft");
    await b.call("DELETE", "/v1/client/sessions");
    expect((await client(b)).last_authentication_strategy).toBe("oauth_microsoft");
    const password = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      password: "long-enough-1",
    });
    expect(password.body.client.last_authentication_strategy).toBe("password");
    // A fresh browser has none.
    expect(
      (await client(await fapiBrowser(emulator.frontendUrl))).last_authentication_strategy,
    ).toBeNull();
  });

  it("makes a sign-in with an account nobody has transferable, and the transfer signs the person up", async () => {
    const email = `${unique("newcomer")}+clerk_test@example.com`;
    const b = await fapiBrowser(emulator.frontendUrl);
    const { landing } = await throughStandIn(
      await startSocialSignIn(b, "oauth_google"),
      typed(email),
    );
    expect(landing.toString()).toBe(SIGN_IN_CALLBACK);
    expect((await client(b)).sign_in.first_factor_verification).toMatchObject({
      status: "transferable",
      error: { code: "external_account_not_found" },
    });

    const transfer = await b.call("POST", "/v1/client/sign_ups", { transfer: "true" });
    expect(transfer.body.response).toMatchObject({ status: "complete", email_address: email });
    expect(accountsOf(transfer.body.client.sessions[0].user)).toEqual([
      ["oauth_google", email, "verified"],
    ]);
  });

  it("asks for the emailed code before linking an account whose provider does not vouch for the address", async () => {
    const email = `${unique("unvouched")}+clerk_test@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email], password: "long-enough-1" });
    const b = await fapiBrowser(emulator.frontendUrl);
    const { landing } = await throughStandIn(
      await startSocialSignIn(b, "oauth_google"),
      typed(email, { email_verified: false }),
    );
    expect(landing.toString()).toBe(SIGN_IN_CALLBACK);
    const signIn = (await client(b)).sign_in;
    expect(signIn.status).toBe("needs_first_factor");
    expect(signIn.supported_first_factors).toEqual([
      expect.objectContaining({ strategy: "email_code", safe_identifier: email }),
    ]);
    const password = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_first_factor`, {
      strategy: "password",
      password: "long-enough-1",
    });
    expect(password.body.errors[0].code).toBe("strategy_for_user_invalid");
    await b.call("POST", `/v1/client/sign_ins/${signIn.id}/prepare_first_factor`, {
      strategy: "email_code",
    });
    const done = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_first_factor`, {
      strategy: "email_code",
      code: "424242",
    });
    expect(done.body.response.status).toBe("complete");
    expect(done.body.client.sessions[0].user.id).toBe(user.id);
    expect(accountsOf(done.body.client.sessions[0].user)).toEqual([
      ["oauth_google", email, "verified"],
    ]);
  });

  it("reports a cancelled provider page on the sign-in, and signs nobody in", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const { landing } = await throughStandIn(await startSocialSignIn(b, "oauth_github"), "cancel");
    expect(landing.toString()).toBe(SIGN_IN_CALLBACK);
    const c = await client(b);
    expect(c.sessions).toEqual([]);
    expect(c.sign_in.first_factor_verification).toMatchObject({
      status: "failed",
      error: {
        code: "oauth_access_denied",
        long_message: "You did not grant access to your GitHub account.",
      },
    });
  });
});

describe("connected accounts in <UserProfile/>", () => {
  async function signedIn(email: string) {
    await clerk.users.createUser({ emailAddress: [email], password: "long-enough-1" });
    const b = await fapiBrowser(emulator.frontendUrl);
    const done = await signInWithPassword(b, emulator.url, email, "long-enough-1");
    return { b, sessionId: done.body.response.created_session_id as string };
  }

  it("connects an account through the provider page back to the profile, and disconnects it", async () => {
    const email = `${unique("connector")}+clerk_test@example.com`;
    const { b, sessionId } = await signedIn(email);
    const profile = `${APP}/settings/account`;
    const created = await b.call(
      "POST",
      `/v1/me/external_accounts?_clerk_session_id=${sessionId}`,
      {
        strategy: "oauth_github",
        redirect_url: profile,
        additional_scope: ["repo"],
      },
    );
    expect(created.body.response.verification).toMatchObject({ status: "unverified" });
    const other = `${unique("octo")}+clerk_test@example.com`;
    const { landing } = await throughStandIn(
      created.body.response.verification.external_verification_redirect_url,
      typed(other, { username: "octo-person" }),
    );
    expect(landing.origin + landing.pathname).toBe(profile);

    const user = (await client(b)).sessions[0].user;
    expect(user.external_accounts).toEqual([
      expect.objectContaining({
        provider: "oauth_github",
        username: "octo-person",
        approved_scopes: "user:email read:user repo",
        verification: expect.objectContaining({ status: "verified" }),
      }),
    ]);
    const [token] = (await clerk.users.getUserOauthAccessToken(user.id, "github")).data;
    expect(token?.scopes).toEqual(["user:email", "read:user", "repo"]);

    const removed = await b.call(
      "DELETE",
      `/v1/me/external_accounts/${user.external_accounts[0].id}?_clerk_session_id=${sessionId}`,
    );
    expect(removed.body.response).toEqual({
      object: "external_account",
      id: user.external_accounts[0].id,
      deleted: true,
    });
    expect((await client(b)).sessions[0].user.external_accounts).toEqual([]);
    expect((await clerk.users.getUserOauthAccessToken(user.id, "github")).data).toEqual([]);
  });

  it("fails to connect an account another user has, and the Backend API removes accounts", async () => {
    const owner = `${unique("owner")}+clerk_test@example.com`;
    const first = await signedIn(owner);
    const connect = async (b: FapiBrowser, sessionId: string) => {
      const res = await b.call("POST", `/v1/me/external_accounts?_clerk_session_id=${sessionId}`, {
        strategy: "oauth_google",
        redirect_url: `${APP}/settings/account`,
      });
      await throughStandIn(
        res.body.response.verification.external_verification_redirect_url,
        typed(`shared-${owner}`),
      );
      return (await client(b)).sessions[0].user;
    };
    const ownerUser = await connect(first.b, first.sessionId);
    expect(ownerUser.external_accounts[0].verification.status).toBe("verified");

    const second = await signedIn(`${unique("second")}+clerk_test@example.com`);
    const secondUser = await connect(second.b, second.sessionId);
    expect(secondUser.external_accounts[0].verification).toMatchObject({
      status: "failed",
      error: { code: "external_account_exists" },
    });

    const deleted = await clerk.users.deleteUserExternalAccount({
      userId: ownerUser.id,
      externalAccountId: ownerUser.external_accounts[0].id,
    });
    expect(deleted).toMatchObject({ id: ownerUser.external_accounts[0].id, deleted: true });
    expect((await clerk.users.getUser(ownerUser.id)).externalAccounts).toEqual([]);
  });
});

describe("refusals", () => {
  it("refuses a redirect outside the app, an unknown state and a replayed code", async () => {
    const b = await fapiBrowser(emulator.frontendUrl);
    const away = await b.call("POST", "/v1/client/sign_ins", {
      strategy: "oauth_google",
      redirect_url: "https://attacker.example/steal",
    });
    expect(away.status).toBe(400);
    expect(away.body.errors[0].meta.param_name).toBe("redirect_url");

    const unknownState = await fetch(
      `${emulator.frontendUrl}/v1/oauth_callback?state=nope&code=x`,
      {
        redirect: "manual",
        headers: { "x-contract-skip": "1" },
      },
    );
    expect(unknownState.status).toBe(400);

    const { callback } = await throughStandIn(await startSocialSignIn(b, "oauth_google"), {
      account: 1,
    });
    const replay = await fetch(callback, {
      redirect: "manual",
      headers: { "x-contract-skip": "1" },
    });
    expect(replay.status).toBe(400);
  });

  it("answers the Backend API's token list as a bare array without paginated=true, and 422 for an unknown provider", async () => {
    const user = await clerk.users.createUser({
      emailAddress: [`${unique("tokens")}@example.com`],
      password: "long-enough-1",
    });
    const get = (provider: string, query = "") =>
      fetch(`${emulator.url}/v1/users/${user.id}/oauth_access_tokens/${provider}${query}`, {
        headers: { authorization: `Bearer ${TEST_SECRET_KEY}` },
      });
    const bare = await get("oauth_google");
    expect(await bare.json()).toEqual([]);
    const paged = await get("oauth_google", "?paginated=true");
    expect(await paged.json()).toEqual({ data: [], total_count: 0 });
    expect((await get("oauth_myspace")).status).toBe(422);
  });
});
