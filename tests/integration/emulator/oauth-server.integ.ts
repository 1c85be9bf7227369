import { createHash, randomBytes } from "node:crypto";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { verifyMachineAuthToken } from "@clerk/backend/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, SKIP_BAPI_CONTRACT } from "../../support/fapi-browser";
import { FAPI_SPEC, loadContract } from "../../support/openapi-contract";

// Clerk's OAuth server in the emulator: OAuth applications and access-token verification through
// the real @clerk/backend (answers held to the Backend API spec by the contract setup), and the
// Frontend API's OAuth 2.1 endpoints spoken as a client and a browser would (answers held to the
// Frontend API spec here).

let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
const REDIRECT = "http://127.0.0.1:9/callback";
const PASSWORD = "long-enough-1";

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});

afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (isClerkAPIResponseError(err)) return err.status;
    throw err;
  }
}

// A Frontend API call outside clerk-js's shape (the OAuth endpoints), its JSON held to the spec.
async function fapi(
  method: string,
  path: string,
  init: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${emulator.frontendUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      ...SKIP_BAPI_CONTRACT,
      ...init.headers,
      ...(init.form && { "content-type": "application/x-www-form-urlencoded" }),
      ...(init.json !== undefined && { "content-type": "application/json" }),
    },
    body: init.form
      ? new URLSearchParams(init.form).toString()
      : init.json !== undefined
        ? JSON.stringify(init.json)
        : undefined,
  });
  const text = await res.text();
  const body = res.headers.get("content-type")?.startsWith("application/json")
    ? JSON.parse(text)
    : text;
  if (typeof body === "object") {
    const contract = loadContract(FAPI_SPEC).validateResponse({
      method,
      path,
      status: res.status,
      body,
    });
    expect(contract.ok ? [] : contract.errors, `${method} ${path} against the FAPI spec`).toEqual(
      [],
    );
  }
  return { status: res.status, body, location: res.headers.get("location") };
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function signedInBrowser(): Promise<{ b: FapiBrowser; userId: string; orgId: string }> {
  const email = `${unique("oauth")}@example.com`;
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  const org = await clerk.organizations.createOrganization({
    name: unique("Acme"),
    createdBy: user.id,
  });
  const b = await fapiBrowser(emulator.frontendUrl);
  const signIn = await b.call("POST", "/v1/client/sign_ins", {
    identifier: email,
    password: PASSWORD,
    strategy: "password",
  });
  expect(signIn.body.response.status).toBe("complete");
  return { b, userId: user.id, orgId: org.id };
}

// The authorization-code flow as a client and a signed-in browser run it: authorize sends the
// browser to the consent page, <OAuthConsent/>'s form posts the decision, the client redeems the
// code with its PKCE verifier.
async function authorize(
  b: FapiBrowser,
  clientId: string,
  scope: string,
  consent: Record<string, string> = { consented: "true" },
  extra: Record<string, string> = {},
) {
  const { verifier, challenge } = pkce();
  const params = {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: "state-0123456789",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  };
  const db = `__clerk_db_jwt=${b.devBrowser}`;
  const start = await fapi("GET", `/oauth/authorize?${new URLSearchParams(params)}&${db}`);
  expect(start.status).toBe(303);
  const consentPage = new URL(start.location ?? "");
  expect(consentPage.pathname).toBe("/oauth/consent");
  const info = await b.call(
    "GET",
    `/v1/me/oauth/consent/${clientId}?scope=${encodeURIComponent(scope)}`,
  );
  expect(info.status).toBe(200);
  const decided = await fapi("POST", `/v1/me/oauth/consent/${clientId}?${db}`, {
    form: { ...Object.fromEntries(consentPage.searchParams), ...consent },
  });
  expect(decided.status).toBe(303);
  const back = new URL(decided.location ?? "");
  expect(back.searchParams.get("state")).toBe("state-0123456789");
  return { back, verifier, info: info.body };
}

describe("OAuth applications (Backend API)", () => {
  it("creates, reads, lists, updates, rotates and deletes applications", async () => {
    const name = unique("Reporting tool");
    const app = await clerk.oauthApplications.create({
      name,
      redirectUris: [REDIRECT],
      scopes: "profile email projects:read",
    });
    expect(app.clientSecret).toMatch(/\w{20,}/);
    expect(app.scopes).toBe("profile email projects:read");
    expect((await clerk.oauthApplications.get(app.id)).clientSecret).toBeUndefined();
    const found = await clerk.oauthApplications.list({ nameQuery: name });
    expect(found.data.map((a) => a.id)).toEqual([app.id]);
    const updated = await clerk.oauthApplications.update({
      oauthApplicationId: app.id,
      name: `${name} 2`,
      scopes: "projects:read members:read",
    });
    expect(updated.scopes).toBe("projects:read members:read");
    const rotated = await clerk.oauthApplications.rotateSecret(app.id);
    expect(rotated.clientSecret).not.toBe(app.clientSecret);
    // The old secret stops working at once.
    const old = await fapi("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: "x" },
      headers: {
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`,
      },
    });
    expect(old.status).toBe(401);
    expect(old.body.error).toBe("invalid_client");
    await clerk.oauthApplications.delete(app.id);
    expect(await status(clerk.oauthApplications.get(app.id))).toBe(404);
  });

  it("refuses scopes the instance does not have", async () => {
    expect(
      await status(clerk.oauthApplications.create({ name: "x", scopes: "projects:admin" })),
    ).toBe(422);
  });
});

describe("the OAuth 2.1 flow and token verification", () => {
  it("issues opaque tokens for the organization chosen at consent, verified by Clerk until revoked", async () => {
    const { b, userId, orgId } = await signedInBrowser();
    const app = await clerk.oauthApplications.create({
      name: unique("Assistant"),
      redirectUris: [REDIRECT],
      scopes: "projects:read members:read user:org:read",
      public: true,
    });
    const { back, verifier, info } = await authorize(
      b,
      app.clientId,
      "projects:read user:org:read",
      { consented: "true", organization_id: orgId },
    );
    expect(info.scopes.map((s: { scope: string }) => s.scope)).toEqual([
      "projects:read",
      "user:org:read",
    ]);
    const code = back.searchParams.get("code") ?? "";
    // A public client redeems its code with the PKCE verifier, and only that one.
    const wrong = await fapi("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.clientId,
        code,
        redirect_uri: REDIRECT,
        code_verifier: pkce().verifier,
      },
    });
    expect(wrong.body.error).toBe("invalid_grant");
    // The code was spent by that attempt. The grant stands, so only a forced consent shows the
    // consent page again.
    const again = await authorize(
      b,
      app.clientId,
      "projects:read user:org:read",
      { consented: "true", organization_id: orgId },
      { prompt: "consent" },
    );
    const tokens = await fapi("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.clientId,
        code: again.back.searchParams.get("code") ?? "",
        redirect_uri: REDIRECT,
        code_verifier: again.verifier,
      },
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.access_token).toMatch(/^oat_/);
    expect(tokens.body.scope).toBe("projects:read user:org:read");
    expect(verifier).not.toBe(again.verifier);

    const verified = await clerk.idPOAuthAccessToken.verify(tokens.body.access_token);
    expect(verified.subject).toBe(userId);
    expect(verified.clientId).toBe(app.clientId);
    expect(verified.scopes).toEqual(["projects:read", "user:org:read"]);
    const introspected = await fapi("POST", "/oauth/token_info", {
      form: { client_id: app.clientId, token: tokens.body.access_token },
    });
    expect(introspected.body).toMatchObject({ active: true, sub: userId, org_id: orgId });
    const info2 = await fapi("GET", "/oauth/userinfo", {
      headers: { authorization: `Bearer ${tokens.body.access_token}` },
    });
    expect(info2.body.org_id).toBe(orgId);

    // Refreshing rotates: the new pair works, the old refresh token no longer does, and
    // presenting it again ends the grant.
    const refreshed = await fapi("POST", "/oauth/token", {
      form: {
        grant_type: "refresh_token",
        client_id: app.clientId,
        refresh_token: tokens.body.refresh_token,
      },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.body.refresh_token);
    const replay = await fapi("POST", "/oauth/token", {
      form: {
        grant_type: "refresh_token",
        client_id: app.clientId,
        refresh_token: tokens.body.refresh_token,
      },
    });
    expect(replay.body.error).toBe("invalid_grant");
    expect(await status(clerk.idPOAuthAccessToken.verify(refreshed.body.access_token))).toBe(404);
  });

  it("revokes every token of a grant, through the revocation endpoint or the Backend API", async () => {
    const { b } = await signedInBrowser();
    const app = await clerk.oauthApplications.create({
      name: unique("Confidential"),
      redirectUris: [REDIRECT],
      scopes: "projects:read",
    });
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`;
    const redeem = async (extra: Record<string, string> = {}) => {
      const { back, verifier } = await authorize(
        b,
        app.clientId,
        "projects:read",
        { consented: "true" },
        extra,
      );
      return (
        await fapi("POST", "/oauth/token", {
          form: {
            grant_type: "authorization_code",
            code: back.searchParams.get("code") ?? "",
            redirect_uri: REDIRECT,
            code_verifier: verifier,
          },
          headers: { authorization: basic },
        })
      ).body;
    };
    const first = await redeem();
    const revoked = await fapi("POST", "/oauth/token/revoke", {
      form: { token: first.refresh_token },
      headers: { authorization: basic },
    });
    expect(revoked.status).toBe(200);
    expect(await status(clerk.idPOAuthAccessToken.verify(first.access_token))).toBe(404);

    const second = await redeem({ prompt: "consent" });
    await clerk.oauthApplications.revokeToken({
      oauthApplicationId: app.id,
      token: second.access_token,
    });
    const result = await verifyMachineAuthToken(second.access_token, {
      secretKey: TEST_SECRET_KEY,
      apiUrl: emulator.url,
    });
    expect(result.errors?.[0]?.message).toMatch(/not found/i);
    // The inspect page shows the application and the user's grants.
    const inspect = await (await fetch(`${emulator.url}/__emulator`)).text();
    expect(inspect).toContain(app.name);
    expect(inspect).toMatch(/OAuth grants \(consents\) <small>\(\d+\)/);
  });

  it("denies when the person declines, and refuses requests without PKCE", async () => {
    const { b } = await signedInBrowser();
    const app = await clerk.oauthApplications.create({
      name: unique("Declined"),
      redirectUris: [REDIRECT],
      scopes: "projects:read",
    });
    const { back } = await authorize(b, app.clientId, "projects:read", { consented: "false" });
    expect(back.searchParams.get("error")).toBe("access_denied");
    const noPkce = await fapi(
      "GET",
      `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT, state: "state-0123456789" })}`,
    );
    expect(new URL(noPkce.location ?? "").searchParams.get("error")).toBe("invalid_request");
    const unknown = await fapi("GET", "/oauth/authorize?client_id=nobody&response_type=code");
    expect(unknown.status).toBe(400);
  });

  it("sends a signed-out browser to sign in, then back to authorize", async () => {
    const app = await clerk.oauthApplications.create({
      name: unique("Signed out"),
      redirectUris: [REDIRECT],
      scopes: "projects:read",
    });
    const { challenge } = pkce();
    const query = new URLSearchParams({
      response_type: "code",
      client_id: app.clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const res = await fapi("GET", `/oauth/authorize?${query}`, {
      headers: { "clerk-proxy-url": "http://localhost:3000/__clerk" },
    });
    const signIn = new URL(res.location ?? "");
    expect(signIn.origin + signIn.pathname).toBe("http://localhost:3000/sign-in");
    expect(signIn.searchParams.get("redirect_url")).toBe(
      `http://localhost:3000/__clerk/oauth/authorize?${query}`,
    );
  });

  it("mints JWT-format tokens, verified without Clerk and blind to revocation until they expire", async () => {
    const { userId, orgId } = await signedInBrowser();
    const app = await clerk.oauthApplications.create({ name: unique("JWT"), scopes: "audit:read" });
    const settings = await emulatorRequest(
      emulator.url,
      "PATCH",
      "/v1/instance/oauth_application_settings",
      { oauth_jwt_access_tokens: true },
    );
    expect(settings.body.oauth_jwt_access_tokens).toBe(true);
    try {
      const minted = await emulatorRequest(
        emulator.url,
        "POST",
        "/__emulator/oauth_access_tokens",
        {
          user_id: userId,
          oauth_application_id: app.id,
          scopes: ["audit:read"],
          organization_id: orgId,
        },
      );
      const token = minted.body.access_token as string;
      const [header, payload] = token
        .split(".")
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
      expect(header.typ).toBe("at+jwt");
      expect(payload).toMatchObject({ sub: userId, org_id: orgId, scope: "audit:read" });
      const { keys } = await clerk.jwks.getJwks();
      const { createPublicKey } = await import("node:crypto");
      const jwtKey = createPublicKey({ key: { ...keys?.[0] } as never, format: "jwk" })
        .export({ type: "spki", format: "pem" })
        .toString();
      const result = await verifyMachineAuthToken(token, { jwtKey });
      expect(result.data?.subject).toBe(userId);
      expect(result.data?.scopes).toEqual(["audit:read"]);
      // Clerk's verify answers for it too, while it lasts.
      expect((await clerk.idPOAuthAccessToken.verify(token)).subject).toBe(userId);
    } finally {
      await emulatorRequest(emulator.url, "PATCH", "/v1/instance/oauth_application_settings", {
        oauth_jwt_access_tokens: false,
      });
    }
  });

  it("reports an expired opaque token as not found", async () => {
    const { userId } = await signedInBrowser();
    const app = await clerk.oauthApplications.create({ name: unique("Exp"), scopes: "audit:read" });
    const minted = await emulatorRequest(emulator.url, "POST", "/__emulator/oauth_access_tokens", {
      user_id: userId,
      oauth_application_id: app.id,
      scopes: ["audit:read"],
      lifetime_seconds: 60,
      backdate_seconds: 120,
    });
    expect(await status(clerk.idPOAuthAccessToken.verify(minted.body.access_token))).toBe(404);
  });
});

describe("discovery and dynamic client registration (Frontend API)", () => {
  it("describes the server at the issuer the caller reached it by", async () => {
    const proxied = { "clerk-proxy-url": "http://localhost:3000/__clerk" };
    const as = await fapi("GET", "/.well-known/oauth-authorization-server", { headers: proxied });
    expect(as.body.issuer).toBe("http://localhost:3000/__clerk");
    expect(as.body.registration_endpoint).toBe("http://localhost:3000/__clerk/oauth/register");
    expect(as.body.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.body.scopes_supported).toEqual(
      expect.arrayContaining(["projects:read", "user:org:read"]),
    );
    const oidc = await fapi("GET", "/.well-known/openid-configuration", { headers: proxied });
    expect(oidc.body.userinfo_endpoint).toBe("http://localhost:3000/__clerk/oauth/userinfo");
  });

  it("registers public clients (RFC 7591) and refuses bad metadata", async () => {
    const registered = await fapi("POST", "/oauth/register", {
      json: {
        client_name: "An MCP client",
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: "none",
        scope: "projects:read user:org:read",
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.client_secret).toBeUndefined();
    const app = (await clerk.oauthApplications.list({ nameQuery: registered.body.client_id }))
      .data[0];
    expect(app?.dynamicallyRegistered).toBe(true);
    expect(app?.consentScreenEnabled).toBe(true);
    const bad = await fapi("POST", "/oauth/register", { json: { redirect_uris: ["not a uri"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_redirect_uri");
  });
});
