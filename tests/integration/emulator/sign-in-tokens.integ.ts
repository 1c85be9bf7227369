import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { fapiBrowser } from "../../support/fapi-browser";
import { signedInAccount } from "../../support/fapi-sign-in";
import { NEXT_STEP_MS, totpCode } from "../../support/totp";

// Clerk's documented custom flow "Embeddable email links with sign-in tokens": a server creates a
// token with the real @clerk/backend (`signInTokens.createSignInToken`), and a fresh browser
// redeems its ticket the way clerk-js's `signIn.ticket({ ticket })` sends it
// (`POST /v1/client/sign_ins` with `strategy=ticket`), each answer held to Clerk's specs.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

async function newUser(label: string) {
  return clerk.users.createUser({
    emailAddress: [`${unique(label)}@example.com`],
    password: "token-user-password-1",
  });
}

// What `signIn.ticket({ ticket })` sends from a browser with no session.
async function redeem(ticket: string) {
  const b = await fapiBrowser(emulator.frontendUrl);
  const res = await b.call("POST", "/v1/client/sign_ins", {
    strategy: "ticket",
    ticket,
    locale: "en-US",
    timezone: "UTC",
  });
  return { b, ...res };
}

const errorOf = (res: { status: number; body: { errors?: { code: string }[] } }) => [
  res.status,
  res.body.errors?.[0]?.code,
];

describe("creating and revoking sign-in tokens (Backend API)", () => {
  it("creates a pending token whose url opens the app's sign-in page with the ticket", async () => {
    const user = await newUser("create");
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    expect(token).toMatchObject({ userId: user.id, status: "pending" });
    expect(token.id).toMatch(/^sit_/);
    expect(token.token).toMatch(/^eyJ/);
    const url = new URL(token.url);
    expect(url.origin + url.pathname).toBe("http://localhost:3000/sign-in");
    expect(url.searchParams.get("__clerk_ticket")).toBe(token.token);
    // The inspect page lists it, but never the token, which signs the user in.
    const inspect = await (await fetch(`${emulator.url}/__emulator`)).text();
    expect(inspect).toContain(token.id);
    expect(inspect).not.toContain(token.token);
  });

  it("revokes a pending token once; revoking it again is Clerk's 400", async () => {
    const user = await newUser("revoke");
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    const revoked = await clerk.signInTokens.revokeSignInToken(token.id);
    expect(revoked).toMatchObject({ id: token.id, status: "revoked" });
    const again = await emulatorRequest(
      emulator.url,
      "POST",
      `/v1/sign_in_tokens/${token.id}/revoke`,
    );
    expect(errorOf(again)).toEqual([400, "sign_in_token_cannot_be_revoked_code"]);
    const unknown = await emulatorRequest(emulator.url, "POST", "/v1/sign_in_tokens/sit_x/revoke");
    expect(errorOf(unknown)).toEqual([404, "resource_not_found"]);
  });

  it("answers an unknown user with 404 and bad bodies with 422", async () => {
    const unknown = await emulatorRequest(emulator.url, "POST", "/v1/sign_in_tokens", {
      user_id: "user_nobody",
    });
    expect(errorOf(unknown)).toEqual([404, "resource_not_found"]);
    const user = await newUser("bad-bodies");
    const bad = async (body: unknown) =>
      errorOf(await emulatorRequest(emulator.url, "POST", "/v1/sign_in_tokens", body));
    expect(await bad({})).toEqual([422, "form_param_missing"]);
    expect(await bad({ user_id: user.id, expires_in_seconds: 0 })).toEqual([
      422,
      "form_param_format_invalid",
    ]);
    expect(await bad({ user_id: user.id, expires_in_seconds: "soon" })).toEqual([
      422,
      "form_param_format_invalid",
    ]);
    expect(await bad({ user_id: user.id, redirect_url: "/" })).toEqual([422, "form_param_unknown"]);
    // An organization the user is not a member of.
    const other = await newUser("other-org-owner");
    const org = await clerk.organizations.createOrganization({
      name: unique("Not theirs"),
      createdBy: other.id,
    });
    expect(await bad({ user_id: user.id, org_id: org.id })).toEqual([
      422,
      "form_param_format_invalid",
    ]);
  });
});

describe("signing in with a sign-in token (Frontend API)", () => {
  it("signs its user in on a fresh browser, once", async () => {
    const user = await newUser("redeem");
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    const first = await redeem(token.token);
    expect(first.status).toBe(200);
    expect(first.body.response).toMatchObject({
      status: "complete",
      identifier: user.emailAddresses[0]?.emailAddress,
      first_factor_verification: { strategy: "ticket", status: "verified" },
    });
    const session = first.body.client.sessions[0];
    expect(session.id).toBe(first.body.response.created_session_id);
    expect(session.user.id).toBe(user.id);
    expect(session.last_active_organization_id).toBeNull();

    expect(errorOf(await redeem(token.token))).toEqual([400, "sign_in_token_already_used_code"]);
    const revoke = await emulatorRequest(
      emulator.url,
      "POST",
      `/v1/sign_in_tokens/${token.id}/revoke`,
    );
    expect(errorOf(revoke)).toEqual([400, "sign_in_token_cannot_be_revoked_code"]);
  });

  it("refuses a revoked token, an expired one, and a sign-up with either", async () => {
    const user = await newUser("refused");
    const revoked = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    await clerk.signInTokens.revokeSignInToken(revoked.id);
    expect(errorOf(await redeem(revoked.token))).toEqual([400, "sign_in_token_revoked_code"]);

    const pending = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    const b = await fapiBrowser(emulator.frontendUrl);
    const signUp = await b.call("POST", "/v1/client/sign_ups", {
      strategy: "ticket",
      ticket: pending.token,
    });
    expect(errorOf(signUp)).toEqual([400, "sign_in_token_not_in_sign_in_code"]);

    const shortLived = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 1,
    });
    // Its expiry is in whole seconds: two seconds from now it is past, whatever the rounding.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(errorOf(await redeem(shortLived.token))).toEqual([400, "ticket_expired_code"]);
    expect(errorOf(await redeem("not-a-ticket"))).toEqual([400, "ticket_invalid_code"]);
  });

  it("forgets a deleted user's tokens: their ticket is then invalid", async () => {
    const user = await newUser("deleted");
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    await clerk.users.deleteUser(user.id);
    expect(errorOf(await redeem(token.token))).toEqual([400, "ticket_invalid_code"]);
    const revoke = await emulatorRequest(
      emulator.url,
      "POST",
      `/v1/sign_in_tokens/${token.id}/revoke`,
    );
    expect(errorOf(revoke)).toEqual([404, "resource_not_found"]);
  });

  it("activates the token's organization in the new session", async () => {
    const user = await newUser("org");
    const org = await clerk.organizations.createOrganization({
      name: unique("Token Org"),
      createdBy: user.id,
    });
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      orgId: org.id,
      expiresInSeconds: 3600,
    });
    const res = await redeem(token.token);
    expect(res.body.response.status).toBe("complete");
    expect(res.body.client.sessions[0].last_active_organization_id).toBe(org.id);
  });

  it("still asks a user with two-step verification for their second factor", async () => {
    const a = await signedInAccount(emulator, "token-mfa");
    const created = await a.b.call("POST", a.me("/totp"));
    const secret: string = created.body.response.secret;
    await a.b.call("POST", a.me("/totp/attempt_verification"), { code: totpCode(secret) });
    const token = await clerk.signInTokens.createSignInToken({
      userId: a.userId,
      expiresInSeconds: 3600,
    });
    const started = await redeem(token.token);
    expect(started.body.response).toMatchObject({
      status: "needs_second_factor",
      first_factor_verification: { strategy: "ticket", status: "verified" },
    });
    const done = await started.b.call(
      "POST",
      `/v1/client/sign_ins/${started.body.response.id}/attempt_second_factor`,
      { strategy: "totp", code: totpCode(secret, Date.now() + NEXT_STEP_MS) },
    );
    expect(done.body.response.status).toBe("complete");
  });

  it("keeps tokens across a restart", async () => {
    const user = await newUser("restart");
    const token = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 3600,
    });
    emulator = await emulator.restart();
    clerk = clerkFor(emulator.url);
    expect((await redeem(token.token)).body.response.status).toBe("complete");
  });
});
