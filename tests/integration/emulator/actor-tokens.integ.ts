import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser } from "../../support/fapi-browser";
import { signedInAccount } from "../../support/fapi-sign-in";
import { runScript } from "../../support/run-script";
import { totpCode } from "../../support/totp";

// Clerk's user impersonation (its custom flow "user impersonation"): a server creates an actor
// token with the real @clerk/backend (`actorTokens.create`), and a browser, usually the
// impersonator's own, redeems its ticket as clerk-js's `signIn.create({ strategy: "ticket" })`
// sends it. The session it gets carries the actor (`actor`, and the token's `act` claim) and
// lasts at most the token's session duration. Each answer is held to Clerk's specs.
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
    password: "impersonated-password-1",
  });
}

function impersonate(
  userId: string,
  actorId: string,
  extra: { expiresInSeconds?: number; sessionMaxDurationInSeconds?: number } = {},
) {
  return clerk.actorTokens.create({ userId, actor: { sub: actorId }, ...extra });
}

async function redeem(ticket: string, b?: FapiBrowser) {
  const browser = b ?? (await fapiBrowser(emulator.frontendUrl));
  const res = await browser.call("POST", "/v1/client/sign_ins", { strategy: "ticket", ticket });
  return { b: browser, ...res };
}

const errorOf = (res: { status: number; body: { errors?: { code: string }[] } }) => [
  res.status,
  res.body.errors?.[0]?.code,
];

describe("creating and revoking actor tokens (Backend API)", () => {
  it("creates a pending token for the user, naming its actor, whose url opens the app's sign-in page", async () => {
    const user = await newUser("target");
    const token = await impersonate(user.id, "user_support_agent");
    expect(token).toMatchObject({
      userId: user.id,
      status: "pending",
      actor: { sub: "user_support_agent" },
    });
    expect(token.id).toMatch(/^act_/);
    const url = new URL(token.url as string);
    expect(url.origin + url.pathname).toBe("http://localhost:3000/sign-in");
    expect(url.searchParams.get("__clerk_ticket")).toBe(token.token);
    // The inspect page lists it, but never the token, which signs its actor in as the user.
    const inspect = await (await fetch(`${emulator.url}/__emulator`)).text();
    expect(inspect).toContain(token.id);
    expect(inspect).not.toContain(token.token as string);
  });

  it("revokes a pending token once; revoking it again is Clerk's 400, an unknown one 404", async () => {
    const user = await newUser("revoke");
    const token = await impersonate(user.id, "user_support_agent");
    expect(await clerk.actorTokens.revoke(token.id)).toMatchObject({
      id: token.id,
      status: "revoked",
    });
    const again = await emulatorRequest(
      emulator.url,
      "POST",
      `/v1/actor_tokens/${token.id}/revoke`,
    );
    expect(errorOf(again)).toEqual([400, "actor_token_cannot_be_revoked_code"]);
    const unknown = await emulatorRequest(emulator.url, "POST", "/v1/actor_tokens/act_x/revoke");
    expect(errorOf(unknown)).toEqual([404, "resource_not_found"]);
  });

  it("answers an unknown user and bad bodies with 422", async () => {
    const bad = async (body: unknown) =>
      errorOf(await emulatorRequest(emulator.url, "POST", "/v1/actor_tokens", body));
    expect(await bad({ user_id: "user_nobody", actor: { sub: "user_a" } })).toEqual([
      422,
      "form_param_format_invalid",
    ]);
    const user = await newUser("bad-bodies");
    expect(await bad({ user_id: user.id })).toEqual([422, "form_param_missing"]);
    expect(await bad({ user_id: user.id, actor: {} })).toEqual([422, "form_param_missing"]);
    expect(await bad({ user_id: user.id, actor: { sub: "" } })).toEqual([
      422,
      "form_param_format_invalid",
    ]);
    expect(
      await bad({ user_id: user.id, actor: { sub: "user_a" }, session_max_duration_in_seconds: 0 }),
    ).toEqual([422, "form_param_format_invalid"]);
    expect(await bad({ user_id: user.id, actor: { sub: "user_a" }, url: "/" })).toEqual([
      422,
      "form_param_unknown",
    ]);
  });
});

describe("signing in with an actor token (Frontend API)", () => {
  it("signs the impersonator's browser in as the user, once, ending the impersonator's own session", async () => {
    const agent = await signedInAccount(emulator, "agent");
    const user = await newUser("customer");
    const token = await impersonate(user.id, agent.userId);
    const res = await redeem(token.token as string, agent.b);
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({
      status: "complete",
      identifier: user.emailAddresses[0]?.emailAddress,
      first_factor_verification: { strategy: "ticket", status: "verified" },
    });
    const sessions: { id: string; status: string; actor: unknown; user: { id: string } }[] =
      res.body.client.sessions;
    // The client lists its active sessions only: the agent's own has ended.
    expect(sessions.map((s) => [s.user.id, s.actor])).toEqual([[user.id, { sub: agent.userId }]]);
    expect((await clerk.sessions.getSession(agent.sessionId)).status).toBe("ended");
    const impersonation = await clerk.sessions.getSession(res.body.response.created_session_id);
    expect(impersonation).toMatchObject({ userId: user.id, actor: { sub: agent.userId } });

    // Its session tokens name the actor, as Clerk's `act` claim.
    const minted = await agent.b.call("POST", `/v1/client/sessions/${impersonation.id}/tokens`, {});
    expect(decodeJwt(minted.body.jwt)).toMatchObject({
      sub: user.id,
      act: { sub: agent.userId },
    });

    expect(errorOf(await redeem(token.token as string))).toEqual([
      400,
      "actor_token_already_used_code",
    ]);
  });

  it("asks nothing of the user's second factor: the actor has none of the user's factors", async () => {
    const customer = await signedInAccount(emulator, "customer-mfa");
    const created = await customer.b.call("POST", customer.me("/totp"));
    await customer.b.call("POST", customer.me("/totp/attempt_verification"), {
      code: totpCode(created.body.response.secret),
    });
    const token = await impersonate(customer.userId, "user_support_agent");
    const res = await redeem(token.token as string);
    expect(res.body.response.status).toBe("complete");
  });

  it("refuses a revoked token, a deleted user's, and a sign-up with one", async () => {
    const user = await newUser("refused");
    const revoked = await impersonate(user.id, "user_support_agent");
    await clerk.actorTokens.revoke(revoked.id);
    expect(errorOf(await redeem(revoked.token as string))).toEqual([
      400,
      "actor_token_revoked_code",
    ]);

    const pending = await impersonate(user.id, "user_support_agent");
    const b = await fapiBrowser(emulator.frontendUrl);
    const signUp = await b.call("POST", "/v1/client/sign_ups", {
      strategy: "ticket",
      ticket: pending.token as string,
    });
    expect(errorOf(signUp)).toEqual([400, "actor_token_not_in_sign_in_code"]);

    await clerk.users.deleteUser(user.id);
    expect(errorOf(await redeem(pending.token as string))).toEqual([
      404,
      "actor_token_subject_not_found",
    ]);
    // A signed-in browser keeps its session when the ticket is refused.
    const agent = await signedInAccount(emulator, "agent-kept");
    expect(errorOf(await redeem("not-a-ticket", agent.b))).toEqual([400, "ticket_invalid_code"]);
    expect((await clerk.sessions.getSession(agent.sessionId)).status).toBe("active");
  });

  it("ends the impersonation when the token's session duration is over", async () => {
    const user = await newUser("short");
    const token = await impersonate(user.id, "user_support_agent", {
      sessionMaxDurationInSeconds: 1,
    });
    const res = await redeem(token.token as string);
    const sessionId: string = res.body.response.created_session_id;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const minted = await res.b.call("POST", `/v1/client/sessions/${sessionId}/tokens`, {});
    expect(minted.status).toBe(401);
    expect((await clerk.sessions.getSession(sessionId)).status).toBe("expired");
  });
});

describe("npm run clerk:impersonate", () => {
  const impersonateCommand = (args: string[]) =>
    runScript("clerk-impersonate", args, {
      NODE_ENV: "production",
      CLERK_TELEMETRY_DISABLED: "1",
      CLERK_SECRET_KEY: TEST_SECRET_KEY,
      CLERK_API_URL: emulator.url,
    });

  it("prints an actor token's url, by email or id, whose ticket signs the impersonator in as the user", async () => {
    const user = await newUser("cli-customer");
    const agent = await newUser("cli-agent");
    const email = user.emailAddresses[0]?.emailAddress as string;
    const run = await impersonateCommand(["--user", email, "--as", agent.id, "--minutes", "5"]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`may sign in as ${email} (${user.id})`);
    const url = /\s(http\S+__clerk_ticket=\S+)/.exec(run.output)?.[1];
    const ticket = new URL(url as string).searchParams.get("__clerk_ticket") as string;
    const res = await redeem(ticket);
    const session = await clerk.sessions.getSession(res.body.response.created_session_id);
    expect(session).toMatchObject({ userId: user.id, actor: { sub: agent.id } });
    // At most the five minutes asked for.
    expect(session.expireAt - session.createdAt).toBe(5 * 60 * 1000);
  });

  it("says what is wrong: an unknown user (1), a missing or bad option (2, with the usage)", async () => {
    const agent = await newUser("cli-agent-2");
    const unknown = await impersonateCommand(["--user", "nobody@example.com", "--as", agent.id]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain("no user nobody@example.com");
    const missing = await impersonateCommand(["--user", agent.id]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("Usage: npm run clerk:impersonate");
    const minutes = await impersonateCommand(["--user", "a", "--as", "b", "--minutes", "0"]);
    expect(minutes.code).toBe(2);
    expect(minutes.output).toContain("--minutes must be a whole number from 1 to 1440");
    const self = await impersonateCommand(["--user", agent.id, "--as", agent.id]);
    expect(self.code).toBe(1);
    expect(self.output).toContain("cannot impersonate themselves");
  });
});
