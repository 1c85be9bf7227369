import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiScope } from "../../../src/auth/api-scopes";
import { SESSION_PERMISSIONS } from "../../../src/auth/authorize";
import { apiTokenTypes, type TokenType } from "../../../src/auth/route-table";
import { type ApiContract, apiContract } from "../../support/api-contract";
import { type AppProcess, startApp } from "../../support/app-process";
import { type ClerkCallCounter, startClerkCallCounter } from "../../support/clerk-call-counter";
import {
  clerkFor,
  emulatorRequest,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type ScratchDatabase, startScratchDatabase } from "../../support/scratch-database";

// The auth matrix: every API route × every token type × valid, revoked, expired, wrong-tenant and
// wrong-scope credentials, against a production build with the real @clerk/backend verifying
// against the emulator. Expectations follow the app's own route table (which types each route
// takes) and authorization rules; every answer is held to the app's OpenAPI document; a token of
// a type the route does not take must cost no Backend API call.
//
// To cover another token type: mint its credentials in `CREDENTIALS` (one per state it can be in)
// and, if its rules differ, say so in `expected`.

type State = "valid" | "revoked" | "expired" | "wrong-tenant" | "wrong-scope" | "none";

type Credential = {
  label: string;
  type: TokenType | null;
  state: State;
  // JWT-format machine tokens are verified by the app itself; opaque ones by Clerk.
  format?: "opaque" | "jwt";
  token: string | null;
};

type Route = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  // The route table's pattern, for the token types it takes.
  pattern: string;
  path: () => Promise<string>;
  // What it asks beyond a valid credential: an API scope, nothing (null), or a machine scope to
  // this app's machine.
  need: ApiScope | null | "machine";
  // Addresses one resource of the credential's tenant (another tenant's is a 404).
  tenantResource: boolean;
  ok: number;
  body?: unknown;
};

const ALL_SCOPES = ["projects:read", "projects:write", "members:read", "audit:read"];

let database: ScratchDatabase;
let emulator: EmulatorProcess;
let counter: ClerkCallCounter;
let app: AppProcess;
let contract: ApiContract;
let clerk: ReturnType<typeof clerkFor>;
let keyA: string;
let jobSecret: string;
let projectA: string;
let oauthApp: string;
let people: { alice: string; orgA: string };
const CREDENTIALS: Credential[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// What webhooks would do: the app's database catches up with Clerk (the machine route).
async function reconcile() {
  const { token } = await m2mToken(jobSecret, "opaque");
  const res = await fetch(`${app.url}/api/internal/reconcile`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
}

async function apiKey(subject: string, scopes: string[], seconds?: number) {
  const key = await clerk.apiKeys.create({
    name: unique("matrix"),
    subject,
    scopes,
    secondsUntilExpiration: seconds,
  });
  return { id: key.id, secret: key.secret as string };
}

async function machine(name: string, scopedMachines: string[] = []) {
  const created = await clerk.machines.create({ name: unique(name), scopedMachines });
  return { id: created.id, secret: created.secretKey as string };
}

async function m2mToken(
  machineSecretKey: string,
  tokenFormat: "opaque" | "jwt",
  secondsUntilExpiration?: number,
) {
  const token = await clerk.m2m.createToken({
    machineSecretKey,
    tokenFormat,
    secondsUntilExpiration,
  });
  return { id: token.id, token: token.token as string };
}

async function setOAuthTokenFormat(format: "opaque" | "jwt") {
  const res = await emulatorRequest(
    emulator.url,
    "PATCH",
    "/v1/instance/oauth_application_settings",
    {
      oauth_jwt_access_tokens: format === "jwt",
    },
  );
  expect(res.status).toBe(200);
}

// Emulator-only: a grant as if `user` had consented in `org`, and its access token (expired when
// backdated past its minute).
async function oauthToken(user: string, org: string, scopes: string[], backdate = 0) {
  const res = await emulatorRequest(emulator.url, "POST", "/__emulator/oauth_access_tokens", {
    user_id: user,
    oauth_application_id: oauthApp,
    organization_id: org,
    scopes: [...scopes, "user:org:read"],
    lifetime_seconds: backdate > 0 ? 60 : 600,
    backdate_seconds: backdate,
  });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

beforeAll(async () => {
  // Its own database: a valid call of the machine route reconciles it with this emulator.
  database = await startScratchDatabase("auth_matrix");
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
  counter = await startClerkCallCounter(emulator.url);

  // Machines: the app's own, a job scoped to it, one scoped elsewhere, and one scoped to nothing.
  const appMachine = await machine("app");
  const job = await machine("job", [appMachine.id]);
  jobSecret = job.secret;
  const elsewhere = await machine("elsewhere");
  const astray = await machine("astray", [elsewhere.id]);
  const stranger = await machine("stranger");
  // Expired JWTs are refused only past @clerk/backend's 5 s clock skew: minted first, waited for last.
  const expiringJwt = await m2mToken(job.secret, "jwt", 1);
  const jwtExpiresAt = Date.now() + 1_000;

  app = await startApp({
    emulator,
    databaseUrl: database.url,
    env: { CLERK_API_URL: counter.url, CLERK_MACHINE_SECRET_KEY: appMachine.secret },
  });
  contract = apiContract(await fetch(`${app.url}/api/v1/openapi.json`).then((r) => r.json()));

  const person = async (name: string) =>
    (await clerk.users.createUser({ emailAddress: [`${unique(name)}@example.com`] })).id;
  const alice = await person("alice");
  const bob = await person("bob");
  const olga = await person("olga");
  const orgA = (await clerk.organizations.createOrganization({ name: "A", createdBy: alice })).id;
  const orgB = (await clerk.organizations.createOrganization({ name: "B", createdBy: bob })).id;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  for (const id of [orgA, orgB]) await subscribeOrganization(emulator.url, id, "team");
  // A role with no permissions at all: a session of it is the session with the wrong scopes.
  await clerk.organizationRoles.createOrganizationRole({
    key: "org:outsider",
    name: "Outsider",
    permissions: [],
  });
  await clerk.organizations.createOrganizationMembership({
    organizationId: orgA,
    userId: olga,
    role: "org:outsider",
  });
  // Ten minutes: the matrix outlasts Clerk's 60 s default on a busy machine.
  const session = async (user: string, org: string, backdate = 0) =>
    (
      await mintSession(emulator.url, {
        user_id: user,
        organization_id: org,
        lifetime_seconds: 600,
        backdate_seconds: backdate,
      })
    ).token;

  keyA = (await apiKey(orgA, ALL_SCOPES)).secret;
  const revokedKey = await apiKey(orgA, ALL_SCOPES);
  await clerk.apiKeys.revoke({ apiKeyId: revokedKey.id });
  const expiringKey = await apiKey(orgA, ALL_SCOPES, 1);
  const revokedSession = await mintSession(emulator.url, {
    user_id: alice,
    organization_id: orgA,
    lifetime_seconds: 600,
  });
  await clerk.sessions.revokeSession(revokedSession.session.id);
  const revokedM2M = await m2mToken(job.secret, "opaque");
  await clerk.m2m.revokeToken({ m2mTokenId: revokedM2M.id, machineSecretKey: job.secret });
  const expiringM2M = await m2mToken(job.secret, "opaque", 1);

  const add = (
    type: TokenType | null,
    state: State,
    token: string | null,
    format?: "jwt" | "opaque",
  ) =>
    CREDENTIALS.push({
      label: `${type ?? "no credential"}${format ? ` (${format})` : ""}, ${state}`,
      type,
      state,
      format,
      token,
    });
  add(null, "none", null);
  add("session_token", "valid", await session(alice, orgA));
  // Clerk's session tokens outlive a revoked session until they expire (60 s at most).
  add("session_token", "revoked", revokedSession.token);
  add("session_token", "expired", await session(alice, orgA, 720));
  add("session_token", "wrong-tenant", await session(bob, orgB));
  add("session_token", "wrong-scope", await session(olga, orgA));
  add("api_key", "valid", keyA);
  add("api_key", "revoked", revokedKey.secret);
  add("api_key", "expired", expiringKey.secret);
  add("api_key", "wrong-tenant", (await apiKey(orgB, ALL_SCOPES)).secret);
  add("api_key", "wrong-scope", (await apiKey(orgA, [])).secret);
  for (const format of ["opaque", "jwt"] as const) {
    add("m2m_token", "valid", (await m2mToken(job.secret, format)).token, format);
    add("m2m_token", "wrong-tenant", (await m2mToken(astray.secret, format)).token, format);
    add("m2m_token", "wrong-scope", (await m2mToken(stranger.secret, format)).token, format);
  }
  // JWT-format M2M tokens cannot be revoked (Clerk stores none).
  add("m2m_token", "revoked", revokedM2M.token, "opaque");
  add("m2m_token", "expired", expiringM2M.token, "opaque");
  add("m2m_token", "expired", expiringJwt.token, "jwt");
  // OAuth access tokens as if the user had consented, choosing the organization (the grant's
  // org_id); JWT-format ones while the instance mints JWTs. A JWT cannot be revoked.
  const assistant = await clerk.oauthApplications.create({
    name: "Assistant",
    scopes: `${ALL_SCOPES.join(" ")} user:org:read`,
  });
  oauthApp = assistant.id;
  for (const format of ["opaque", "jwt"] as const) {
    await setOAuthTokenFormat(format);
    add("oauth_token", "valid", await oauthToken(alice, orgA, ALL_SCOPES), format);
    add("oauth_token", "expired", await oauthToken(alice, orgA, ALL_SCOPES, 120), format);
    add("oauth_token", "wrong-tenant", await oauthToken(bob, orgB, ALL_SCOPES), format);
    add("oauth_token", "wrong-scope", await oauthToken(alice, orgA, []), format);
  }
  await setOAuthTokenFormat("opaque");
  const revokedOAuth = await oauthToken(alice, orgA, ALL_SCOPES);
  await clerk.oauthApplications.revokeToken({ oauthApplicationId: oauthApp, token: revokedOAuth });
  add("oauth_token", "revoked", revokedOAuth, "opaque");
  people = { alice, orgA };

  // No webhooks reach this app: the machine route brings its memberships up to date with Clerk
  // (OAuth tokens act only for members, as synced).
  await reconcile();
  projectA = (await call("POST", "/api/v1/projects", keyA, { name: "A1" })).body.id;
  await sleep(Math.max(0, jwtExpiresAt + 6_000 - Date.now()));
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await counter?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await database?.drop();
});

// One request to the app; its answer must match the OpenAPI document.
async function call(method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  const problems = contract.check({
    method,
    path,
    status: res.status,
    contentType: res.headers.get("content-type"),
    body: parsed,
  });
  if (problems.length > 0) {
    throw new Error(
      `${method} ${path} does not match the OpenAPI document:\n${problems.join("\n")}`,
    );
  }
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: res.status, body: parsed as any };
}

// A project of tenant A that the call may delete.
async function throwaway(): Promise<string> {
  return `/api/v1/projects/${(await call("POST", "/api/v1/projects", keyA, { name: "tmp" })).body.id}`;
}

const ROUTES: Route[] = [
  {
    method: "GET",
    pattern: "/api/v1/me",
    path: async () => "/api/v1/me",
    need: null,
    tenantResource: false,
    ok: 200,
  },
  {
    method: "GET",
    pattern: "/api/v1/projects",
    path: async () => "/api/v1/projects",
    need: "projects:read",
    tenantResource: false,
    ok: 200,
  },
  {
    method: "POST",
    pattern: "/api/v1/projects",
    path: async () => "/api/v1/projects",
    need: "projects:write",
    tenantResource: false,
    ok: 201,
    body: { name: "Matrix" },
  },
  {
    method: "GET",
    pattern: "/api/v1/projects/:id",
    path: async () => `/api/v1/projects/${projectA}`,
    need: "projects:read",
    tenantResource: true,
    ok: 200,
  },
  {
    method: "PATCH",
    pattern: "/api/v1/projects/:id",
    path: async () => `/api/v1/projects/${projectA}`,
    need: "projects:write",
    tenantResource: true,
    ok: 200,
    body: { description: "patched" },
  },
  {
    method: "DELETE",
    pattern: "/api/v1/projects/:id",
    path: throwaway,
    need: "projects:write",
    tenantResource: true,
    ok: 204,
  },
  {
    method: "GET",
    pattern: "/api/v1/members",
    path: async () => "/api/v1/members",
    need: "members:read",
    tenantResource: false,
    ok: 200,
  },
  {
    method: "GET",
    pattern: "/api/v1/audit-events",
    path: async () => "/api/v1/audit-events",
    need: "audit:read",
    tenantResource: false,
    ok: 200,
  },
  {
    method: "POST",
    pattern: "/api/internal/reconcile",
    path: async () => "/api/internal/reconcile",
    need: "machine",
    tenantResource: false,
    ok: 200,
  },
];

function expected(route: Route, c: Credential): number {
  if (c.type === null || !apiTokenTypes(route.pattern).includes(c.type)) return 401;
  if (c.type === "m2m_token" && (c.state === "wrong-tenant" || c.state === "wrong-scope")) {
    // A token that does not name the app's machine: Clerk will not verify an opaque one for the
    // app's machine (401); a JWT verifies, and the app refuses it (403).
    return c.format === "jwt" ? 403 : 401;
  }
  switch (c.state) {
    case "valid":
      return route.ok;
    case "revoked":
      return c.type === "session_token" ? route.ok : 401;
    case "expired":
      return 401;
    case "wrong-tenant":
      return route.tenantResource ? 404 : route.ok;
    case "wrong-scope": {
      const need = route.need;
      if (need === null || need === "machine") return route.ok;
      // Reading members is membership itself for sessions.
      return c.type === "session_token" && SESSION_PERMISSIONS[need] === null ? route.ok : 403;
    }
    default:
      return 401;
  }
}

const CASES = () =>
  ROUTES.flatMap((route) => CREDENTIALS.map((credential) => ({ route, credential })));

describe("the auth matrix", () => {
  it("answers every route × token type × state as the route table and the rules say, asking Clerk nothing about types a route does not take", async () => {
    const failures: string[] = [];
    for (const { route, credential } of CASES()) {
      const path = await route.path();
      counter.reset();
      const { status, body } = await call(route.method, path, credential.token, route.body);
      const want = expected(route, credential);
      const name = `${route.method} ${route.pattern} with ${credential.label}`;
      if (status !== want)
        failures.push(`${name}: ${status} (${body?.detail ?? ""}), expected ${want}`);
      const takes =
        credential.type !== null && apiTokenTypes(route.pattern).includes(credential.type);
      if (credential.token && !takes && counter.count(/./) > 0) {
        failures.push(`${name}: asked Clerk although the route does not take ${credential.type}`);
      }
      if (takes && credential.format === "jwt" && counter.count(/tokens\/verify/) > 0) {
        failures.push(`${name}: asked Clerk to verify a JWT-format ${credential.type}`);
      }
    }
    expect(failures).toEqual([]);
    // Each route met each state of each type the matrix holds.
    expect(CASES().length).toBe(ROUTES.length * CREDENTIALS.length);
  });

  it("counts a JWT-format M2M token against its machine's rate limit, an opaque one against itself", async () => {
    const remaining = async (token: string) => {
      const res = await fetch(`${app.url}/api/internal/reconcile`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return Number(/r=(\d+)/.exec(res.headers.get("ratelimit") ?? "")?.[1]);
    };
    const valid = (format: "opaque" | "jwt") =>
      CREDENTIALS.find((c) => c.type === "m2m_token" && c.state === "valid" && c.format === format)
        ?.token as string;
    const jwtBefore = await remaining(valid("jwt"));
    const sibling = (await m2mToken(jobSecret, "jwt")).token;
    expect(await remaining(sibling)).toBe(jwtBefore - 1);
    const freshOpaque = (await m2mToken(jobSecret, "opaque")).token;
    const opaqueBefore = await remaining(valid("opaque"));
    expect(await remaining(freshOpaque)).toBeGreaterThan(opaqueBefore);
  });

  it("acts for the user via the application, and stops when the user leaves the organization", async () => {
    const carl = (await clerk.users.createUser({ emailAddress: [`${unique("carl")}@example.com`] }))
      .id;
    await clerk.organizations.createOrganizationMembership({
      organizationId: people.orgA,
      userId: carl,
      role: "org:member",
    });
    const token = await oauthToken(carl, people.orgA, ["projects:read", "projects:write"]);
    await reconcile();
    // A member's role may not write projects, whatever the user granted the application.
    expect((await call("GET", "/api/v1/projects", token)).status).toBe(200);
    const write = await call("POST", "/api/v1/projects", token, { name: "via app" });
    expect(write.status).toBe(403);
    expect(write.body.missing_permission).toBe("org:projects:manage");
    const me = await call("GET", "/api/v1/me", token);
    expect(me.body).toMatchObject({
      token_type: "oauth_token",
      user_id: carl,
      org_id: people.orgA,
      oauth_application: { name: "Assistant" },
    });
    await clerk.organizations.deleteOrganizationMembership({
      organizationId: people.orgA,
      userId: carl,
    });
    await reconcile();
    const gone = await call("GET", "/api/v1/projects", token);
    expect(gone.status).toBe(403);
    expect(gone.body.detail).toMatch(/no longer a member/);
  });

  it("names the user and the application in the activity log", async () => {
    const token = CREDENTIALS.find(
      (c) => c.type === "oauth_token" && c.state === "valid" && c.format === "opaque",
    )?.token as string;
    const created = await call("POST", "/api/v1/projects", token, { name: "Via the assistant" });
    expect(created.status).toBe(201);
    const log = await call("GET", "/api/v1/audit-events", keyA);
    const event = log.body.data.find(
      (e: { target: { id: string } }) => e.target.id === created.body.id,
    );
    expect(event.actor).toMatchObject({ type: "oauth_app", id: people.alice });
    expect(event.actor.name).toMatch(/ via Assistant$/);
  });

  it("tells an MCP client without a token where to sign in: its metadata, then Clerk's", async () => {
    const res = await fetch(`${app.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? "";
    expect(new URL(metadataUrl).pathname).toBe("/.well-known/oauth-protected-resource/mcp");
    const resource = await (await fetch(`${app.url}${new URL(metadataUrl).pathname}`)).json();
    expect(resource.scopes_supported).toEqual([
      "projects:read",
      "projects:write",
      "members:read",
      "user:org:read",
    ]);
    const [issuer] = resource.authorization_servers;
    expect(new URL(issuer).pathname).toBe("/__clerk");
    // RFC 8414's place for an issuer with a path, on the issuer's origin.
    const as = await (
      await fetch(`${app.url}/.well-known/oauth-authorization-server/__clerk`)
    ).json();
    expect(as.issuer).toBe(issuer);
    expect(as.registration_endpoint).toBe(`${issuer}/oauth/register`);
    expect(
      (await fetch(`${app.url}/.well-known/oauth-authorization-server/elsewhere`)).status,
    ).toBe(404);
  });

  it("covers every API route of the route table", async () => {
    const { ROUTES: table } = await import("../../../src/auth/route-table");
    // The MCP endpoint is covered by the MCP client's own test (tests/e2e/oauth-mcp.e2e.ts).
    const apiPatterns = table.filter((r) => r.access.kind === "api").map((r) => r.pattern);
    expect([...new Set(ROUTES.map((r) => r.pattern))].sort()).toEqual(apiPatterns.sort());
  });
});
