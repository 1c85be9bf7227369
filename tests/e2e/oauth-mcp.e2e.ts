import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InvalidGrantError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Page } from "@playwright/test";
import * as oauth from "oauth4webapi";
import { clerk, DEMO, expect, openSignedIn, SCREENSHOTS, test } from "./fixtures";
import { APP_URL } from "./ports";

// Clerk as the OAuth 2.1 server of third-party applications, through the app's Frontend API proxy:
// an independent client library (oauth4webapi) and the MCP SDK's own client each go from nothing
// to calling the app, with the person signing in and consenting in Chromium on Clerk's
// <OAuthConsent/>.

// The consent screen answers by sending the browser to the client's redirect URI: a loopback
// listener of the test's, as a native client's (RFC 8252, section 7.3), on a port of its own.
let listener: Server;
let CALLBACK = "";
test.beforeAll(async () => {
  listener = createServer((_req, res) => res.end("You can close this tab."));
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  CALLBACK = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
});
test.afterAll(async () => {
  await new Promise<void>((resolve) => {
    listener.close(() => resolve());
    listener.closeAllConnections();
  });
});

async function consent(page: Page, authorizeUrl: string, screenshot: string): Promise<URL> {
  await page.goto(authorizeUrl);
  await expect(page).toHaveURL(/\/oauth\/consent\?/);
  const allow = page.getByRole("button", { name: "Allow" });
  await expect(allow).toBeVisible();
  // The organization the application will act in: the one the person works in.
  await expect(page.getByText("Acme Inc", { exact: true })).toBeVisible();
  // Its logo is an image that loads (Clerk's generated one for an organization without a logo),
  // not a broken one.
  const logo = page.getByRole("img", { name: "Acme Inc", exact: true }).first();
  await expect
    .poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
    .toBe(true);
  await page.screenshot({ path: `${SCREENSHOTS}/${screenshot}`, fullPage: true });
  await allow.click();
  await page.waitForURL(`${CALLBACK}**`);
  return new URL(page.url());
}

test.describe("third-party applications over OAuth", () => {
  test("an OAuth 2.1 client (oauth4webapi, PKCE) gets a token the API honours within its scopes and tenant until revoked", async ({
    page,
    request,
  }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");
    const app = await clerk.oauthApplications.create({
      name: "Reporting tool",
      redirectUris: [CALLBACK],
      scopes: "projects:read projects:write members:read user:org:read",
      public: true,
    });
    const insecure = { [oauth.allowInsecureRequests]: true };
    // RFC 8414 discovery at the issuer: Clerk's Frontend API through the app's proxy.
    const issuer = new URL(`${APP_URL}/__clerk`);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    const client: oauth.Client = { client_id: app.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authorize = new URL(as.authorization_endpoint as string);
    authorize.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: CALLBACK,
      response_type: "code",
      scope: "projects:read user:org:read",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();

    const back = await consent(page, authorize.toString(), "oauth-consent.png");
    const params = oauth.validateAuthResponse(as, client, back, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        CALLBACK,
        verifier,
        insecure,
      ),
    );
    expect(tokens.access_token).toMatch(/^oat_/);
    expect(tokens.scope).toBe("projects:read user:org:read");

    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const me = await (await request.get("/api/v1/me", { headers })).json();
    expect(me).toMatchObject({ token_type: "oauth_token", org_id: expect.stringMatching(/^org_/) });
    expect(me.oauth_application.name).toBe("Reporting tool");
    expect((await request.get("/api/v1/projects", { headers })).status()).toBe(200);
    // Not granted: writing.
    const write = await request.post("/api/v1/projects", { headers, data: { name: "Nope" } });
    expect(write.status()).toBe(403);
    expect((await write.json()).missing_scope).toBe("projects:write");
    // Another tenant's project does not exist for it.
    const elsewhere = await clerk.organizations.createOrganization({
      name: `Elsewhere ${Date.now().toString(36)}`,
    });
    const key = await clerk.apiKeys.create({
      name: "elsewhere",
      subject: elsewhere.id,
      scopes: ["projects:write"],
    });
    const foreign = await request.post("/api/v1/projects", {
      headers: { authorization: `Bearer ${key.secret}` },
      data: { name: "Theirs" },
    });
    const foreignId = (await foreign.json()).id;
    expect((await request.get(`/api/v1/projects/${foreignId}`, { headers })).status()).toBe(404);

    // Revoked by the client (RFC 7009): the next call is refused at once.
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, insecure),
    );
    // At once, although the app had Clerk's answer for it in its verification cache: the
    // revocation passed through the app's proxy, which forgot it.
    expect((await request.get("/api/v1/projects", { headers })).status()).toBe(401);
  });

  test("an MCP client connects from nothing: discovers, registers, has the user consent, calls tools, and is refused beyond its scopes", async ({
    page,
  }) => {
    await openSignedIn(page, DEMO, "/orgs/acme");
    // Its own name: the seeded user keeps the grants of earlier runs (and of a retried attempt).
    const assistant = `Test assistant ${Date.now().toString(36)}`;
    let authorizationUrl: URL | undefined;
    let saved: { info?: OAuthClientInformationMixed; tokens?: OAuthTokens; verifier?: string } = {};
    const provider: OAuthClientProvider = {
      redirectUrl: CALLBACK,
      clientMetadata: {
        client_name: assistant,
        redirect_uris: [CALLBACK],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      } satisfies OAuthClientMetadata,
      clientInformation: () => saved.info,
      saveClientInformation: (info) => {
        saved = { ...saved, info };
      },
      tokens: () => saved.tokens,
      saveTokens: (tokens) => {
        saved = { ...saved, tokens };
      },
      redirectToAuthorization: (url) => {
        authorizationUrl = url;
      },
      saveCodeVerifier: (verifier) => {
        saved = { ...saved, verifier };
      },
      codeVerifier: () => saved.verifier ?? "",
    };
    const endpoint = new URL(`${APP_URL}/mcp`);
    const transport = new StreamableHTTPClientTransport(endpoint, { authProvider: provider });
    const first = new Client({ name: "test-assistant", version: "1.0.0" });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(saved.info?.client_id, "registered itself").toBeTruthy();
    expect(authorizationUrl?.href).toContain("/__clerk/oauth/authorize");

    const back = await consent(page, authorizationUrl?.href ?? "", "mcp-consent.png");
    await transport.finishAuth(back.searchParams.get("code") ?? "");
    expect(saved.tokens?.scope).toBe("projects:read projects:write members:read user:org:read");

    const client = new Client({ name: "test-assistant", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: provider }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "create_project",
      "get_project",
      "list_activity",
      "list_members",
      "list_projects",
      "update_project",
    ]);
    const created = await client.callTool({
      name: "create_project",
      arguments: { name: "Planned by the assistant" },
    });
    expect(created.isError).toBeFalsy();
    const project = created.structuredContent as { id: string; name: string };
    const updated = await client.callTool({
      name: "update_project",
      arguments: { id: project.id, description: "Reviewed" },
    });
    expect((updated.structuredContent as { description: string }).description).toBe("Reviewed");
    const listed = await client.callTool({ name: "list_projects", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("Planned by the assistant");
    const members = await client.callTool({ name: "list_members", arguments: {} });
    expect(JSON.stringify(members.structuredContent)).toContain(DEMO.email);
    // The activity log needs audit:read, which the assistant was not granted.
    const activity = await client.callTool({ name: "list_activity", arguments: {} });
    expect(activity.isError).toBe(true);
    expect(JSON.stringify(activity.content)).toContain("Missing scope audit:read");

    // The organization's activity says who acted, and through which application.
    await page.goto("/orgs/acme/activity");
    await expect(page.getByText(`via ${assistant}`).first()).toBeVisible();

    // The user sees the assistant among their connected apps and disconnects it: its next call is
    // refused, and its refresh token no longer works either (Clerk ended the grant).
    await page.goto("/settings/connected-apps");
    const row = page.getByRole("row").filter({ hasText: assistant });
    await expect(row).toContainText("Acme Inc");
    await expect(row).toContainText("projects:read projects:write members:read");
    await page.screenshot({ path: `${SCREENSHOTS}/connected-apps.png`, fullPage: true });
    await row.getByRole("button", { name: `Disconnect ${assistant}` }).click();
    await row.getByRole("button", { name: `Disconnect “${assistant}”` }).click();
    await expect(page.getByRole("status", { name: "Notice" })).toHaveText(
      `Disconnected “${assistant}”.`,
    );
    // The SDK answers the 401 by refreshing its token, which Clerk refuses: the grant has ended.
    await expect(client.callTool({ name: "list_projects", arguments: {} })).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    // The organization's activity records who disconnected it.
    await page.goto("/orgs/acme/activity?kind=oauth_app.disconnected");
    const disconnected = page.getByRole("row").filter({ hasText: `“${assistant}” with` });
    await expect(disconnected.first()).toContainText("App disconnected");
    await client.close();
  });
});
