import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CreateKeyState } from "../../../src/api-keys/actions";
import type { ProjectFormState } from "../../../src/app/orgs/[slug]/actions";
import { type ApiContract, apiContract } from "../../support/api-contract";
import {
  type AppDatabase,
  connectAppDatabase,
  eventually,
  storedPlanOf,
} from "../../support/app-database";
import { type AppProcess, freePort, startApp } from "../../support/app-process";
import {
  deliver,
  domainEvent,
  invitationEvent,
  membershipEvent,
  newSvixId,
  type OrganizationFields,
} from "../../support/clerk-webhooks";
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
import { fapiBrowser } from "../../support/fapi-browser";
import { callServerAction, serverActionId } from "../../support/server-action";

// The audit log against the built app: every change it records, made the ways a user makes it
// (the API with a key or a session, the dashboard's and the settings' server actions, Clerk's
// webhooks from the emulator and as signed deliveries), read back through GET /api/v1/audit-events
// (held to the app's OpenAPI document), the Activity page and the table itself.

let emulator: EmulatorProcess;
let app: AppProcess;
let clerk: ReturnType<typeof clerkFor>;
let database: AppDatabase;
let contract: ApiContract;
let webhookUrl: string;

type Org = { id: string; slug: string };
let alice: string; // admin of org A
let bob: string; // member of org A
let carol: string; // admin of org B
let orgA: Org;
let orgB: Org;
let keyA: { id: string; name: string; secret: string }; // org A, every scope
let auditKeyB: string; // org B, audit:read

const ALL_SCOPES = ["projects:read", "projects:write", "members:read", "audit:read"];

beforeAll(async () => {
  // The emulator delivers its webhooks to this app, so it must know the app's port first.
  const port = await freePort();
  emulator = await startEmulatorProcess({
    env: {
      EMULATOR_WEBHOOK_URL: `http://localhost:${port}/api/webhooks/clerk`,
      EMULATOR_WEBHOOK_TIME_SCALE: "0.001",
    },
  });
  clerk = clerkFor(emulator.url);
  app = await startApp({ emulator: emulator, databaseUrl: inject("databaseUrl"), port });
  webhookUrl = `${app.url}/api/webhooks/clerk`;
  database = connectAppDatabase(inject("databaseUrl"));
  contract = apiContract(await fetch(`${app.url}/api/v1/openapi.json`).then((r) => r.json()));

  const user = async (name: string) =>
    (
      await clerk.users.createUser({
        emailAddress: [`${unique(name)}@example.com`],
        firstName: name,
      })
    ).id;
  alice = await user("Alice");
  bob = await user("Bob");
  carol = await user("Carol");
  const a = await clerk.organizations.createOrganization({ name: "Org A", createdBy: alice });
  const b = await clerk.organizations.createOrganization({ name: "Org B", createdBy: carol });
  orgA = { id: a.id, slug: a.slug };
  orgB = { id: b.id, slug: b.slug };
  await clerk.organizations.createOrganizationMembership({
    organizationId: orgA.id,
    userId: bob,
    role: "org:member",
  });
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  for (const org of [orgA, orgB]) await subscribeOrganization(emulator.url, org.id, "team");
  // API keys are held to the plan the app's database has: wait for the upgrades' webhooks.
  for (const org of [orgA, orgB]) {
    await eventually(
      () => storedPlanOf(database, org.id),
      (plan) => plan === "team",
    );
  }
  const key = await clerk.apiKeys.create({
    name: unique("ci"),
    subject: orgA.id,
    scopes: ALL_SCOPES,
  });
  keyA = { id: key.id, name: key.name, secret: key.secret ?? "" };
  auditKeyB = (
    await clerk.apiKeys.create({ name: unique("b"), subject: orgB.id, scopes: ["audit:read"] })
  ).secret as string;
});

afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await database?.close();
});

async function session(userId: string, organizationId: string | null) {
  return (await mintSession(emulator.url, { user_id: userId, organization_id: organizationId }))
    .token;
}

type KeyTarget = { kind: "organization"; slug: string } | { kind: "personal" };

// The settings page's create-key form, submitted to its server action with a session's token.
function createKey(
  target: KeyTarget,
  token: string,
  key: { name: string; scopes: string[]; expiry: string },
) {
  const form = new FormData();
  form.append("name", key.name);
  for (const scope of key.scopes) form.append("scopes", scope);
  form.append("expiry", key.expiry);
  form.append("description", "");
  return callServerAction<CreateKeyState>({
    appUrl: app.url,
    page:
      target.kind === "organization"
        ? `/orgs/${target.slug}/settings/api-keys`
        : "/settings/api-keys",
    actionId: serverActionId("src/api-keys/actions.ts", "createApiKeyAction"),
    args: [target, { status: "idle" }, form],
    token,
  });
}

// One API request; its answer must match the OpenAPI document.
async function call(
  method: string,
  path: string,
  options: { token: string; body?: unknown; requestId?: string },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.requestId) headers["x-request-id"] = options.requestId;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  const problems = contract.check({
    method,
    path,
    status: res.status,
    contentType: res.headers.get("content-type"),
    body,
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: res.status, body: body as any, requestId: res.headers.get("x-request-id") };
}

type AuditEventJson = {
  id: string;
  tenant_id: string;
  kind: string;
  actor: { type: string; id: string | null; name: string | null; impersonator_id: string | null };
  target: { type: string; id: string };
  changes: Record<string, unknown>;
  occurred_at: string;
  request_id: string | null;
  client_address: string | null;
};

// Every event the API shows for a target, following every page.
async function eventsOf(token: string, targetId: string, kind?: string) {
  const found: AuditEventJson[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    if (kind) query.set("kind", kind);
    const page = await call("GET", `/api/v1/audit-events?${query}`, { token });
    expect(page.status).toBe(200);
    found.push(...page.body.data.filter((e: AuditEventJson) => e.target.id === targetId));
    cursor = page.body.next_cursor;
  } while (cursor);
  return found;
}

async function rowsOf(targetId: string) {
  return database.sql`
    select kind, tenant_id, actor_type, actor_id, actor_name, changes, request_id, client_address
    from audit_events where target_id = ${targetId} order by occurred_at, id`;
}

async function rowCount(tenantId: string): Promise<number> {
  const [row] =
    await database.sql`select count(*)::int as n from audit_events where tenant_id = ${tenantId}`;
  return row?.n;
}

// `next start` sees the test's own connection: the loopback address, in either family.
const LOOPBACK = /^(127\.0\.0\.1|::1)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The rows of the Activity page's table.
function rowsIn(html: string): string[] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return body.split("</tr>").filter((r) => r.includes("<td"));
}

async function page(path: string, token: string) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, html: await res.text() };
}

describe("project changes", () => {
  it("records an organization key's create, update and delete once each, with the key's id and name and the request", async () => {
    // The client's own id for its request: never the one audit rows record.
    const clientId = `audit-test-${unique("req")}`;
    const created = await call("POST", "/api/v1/projects", {
      token: keyA.secret,
      body: { name: "Apollo", description: "To the moon" },
      requestId: clientId,
    });
    expect(created.requestId).toMatch(UUID);
    const id = created.body.id;
    await call("PATCH", `/api/v1/projects/${id}`, {
      token: keyA.secret,
      body: { description: "" },
    });
    await call("DELETE", `/api/v1/projects/${id}`, { token: keyA.secret });

    const events = await eventsOf(keyA.secret, id);
    // Newest first.
    expect(events.map((e) => e.kind)).toEqual([
      "project.deleted",
      "project.updated",
      "project.created",
    ]);
    const actor = { type: "api_key", id: keyA.id, name: keyA.name };
    expect(events[2]).toMatchObject({
      tenant_id: orgA.id,
      actor,
      target: { type: "project", id },
      changes: { name: "Apollo", description: "To the moon" },
      request_id: created.requestId,
      client_address: expect.stringMatching(LOOPBACK),
    });
    expect(events[1]).toMatchObject({ actor, changes: { description: null } });
    expect(events[0]).toMatchObject({ actor, changes: { name: "Apollo" } });
    // Each request has an id of its own, and the answer names it.
    expect(new Set(events.map((e) => e.request_id)).size).toBe(3);
  });

  it("records a session's changes with the user as actor", async () => {
    const token = await session(alice, orgA.id);
    const created = await call("POST", "/api/v1/projects", { token, body: { name: "By Alice" } });
    const events = await eventsOf(keyA.secret, created.body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: "project.created",
      actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
    });
  });

  it("records an impersonation session's changes as the user's, impersonated by its actor, and refuses it a new API key", async () => {
    // Support's Bob opens an actor token for Alice (what the Clerk Dashboard's "Impersonate user"
    // does), on a browser of the app's origin; the session's token names him in its `act` claim.
    const { token: ticket } = await clerk.actorTokens.create({
      userId: alice,
      actor: { sub: bob },
    });
    const browser = await fapiBrowser(emulator.frontendUrl, app.url);
    const signIn = await browser.call("POST", "/v1/client/sign_ins", {
      strategy: "ticket",
      ticket: ticket as string,
    });
    const sessionId: string = signIn.body.response.created_session_id;
    const minted = await browser.call("POST", `/v1/client/sessions/${sessionId}/tokens`, {
      organization_id: orgA.id,
    });
    const created = await call("POST", "/api/v1/projects", {
      token: minted.body.jwt,
      body: { name: "Fixed for Alice" },
    });
    // Bob may do what Alice may, but not give out access that outlasts the impersonation.
    const key = await createKey({ kind: "organization", slug: orgA.slug }, minted.body.jwt, {
      name: unique("left-behind"),
      scopes: ["projects:read"],
      expiry: "never",
    });
    expect(key).toMatchObject({
      status: "error",
      message: expect.stringContaining("Not while impersonating"),
    });
    expect(created.status).toBe(201);
    const [event] = await eventsOf(keyA.secret, created.body.id);
    expect(event?.actor).toEqual({ type: "user", id: alice, name: "Alice", impersonator_id: bob });
    // Her own session's changes name no impersonator.
    const own = await call("POST", "/api/v1/projects", {
      token: await session(alice, orgA.id),
      body: { name: "By Alice herself" },
    });
    expect((await eventsOf(keyA.secret, own.body.id))[0]?.actor.impersonator_id).toBeNull();
  });

  it("records the dashboard's create and delete actions with the signed-in user and the request", async () => {
    const token = await session(alice, orgA.id);
    const name = unique("From the dashboard");
    const clientId = `audit-action-${unique("req")}`;
    const form = new FormData();
    form.append("name", name);
    form.append("description", "");
    const state = await callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: `/orgs/${orgA.slug}`,
      actionId: serverActionId("src/app/orgs/[slug]/actions.ts", "createProjectAction"),
      args: [orgA.slug, { status: "idle" }, form],
      token,
      headers: { "x-request-id": clientId },
    });
    expect(state.status).toBe("created");
    const [project] = (await call("GET", "/api/v1/projects?limit=100", { token })).body.data.filter(
      (p: { name: string }) => p.name === name,
    );
    const deleted = await callServerAction<{ ok: boolean }>({
      appUrl: app.url,
      page: `/orgs/${orgA.slug}`,
      actionId: serverActionId("src/app/orgs/[slug]/actions.ts", "deleteProjectAction"),
      args: [orgA.slug, project.id],
      token,
    });
    expect(deleted.ok).toBe(true);

    const rows = await rowsOf(project.id);
    expect(rows).toEqual([
      {
        kind: "project.created",
        tenant_id: orgA.id,
        actor_type: "user",
        actor_id: alice,
        actor_name: "Alice",
        changes: { name, description: null },
        // The server's own id for the request, not the one the client sent.
        request_id: expect.stringMatching(UUID),
        client_address: expect.stringMatching(LOOPBACK),
      },
      expect.objectContaining({ kind: "project.deleted", actor_id: alice, changes: { name } }),
    ]);
  });

  it("records nothing for refused or invalid changes", async () => {
    const before = await rowCount(orgA.id);
    const member = await session(bob, orgA.id);
    const readOnly = (
      await clerk.apiKeys.create({
        name: unique("ro"),
        subject: orgA.id,
        scopes: ["projects:read"],
      })
    ).secret as string;
    const [project] = (await call("GET", "/api/v1/projects", { token: keyA.secret })).body.data;
    const foreign = (
      await call("POST", "/api/v1/projects", {
        token: (
          await clerk.apiKeys.create({
            name: unique("b-writer"),
            subject: orgB.id,
            scopes: ["projects:write"],
          })
        ).secret as string,
        body: { name: "B's" },
      })
    ).body.id;

    expect(
      (await call("POST", "/api/v1/projects", { token: member, body: { name: "x" } })).status,
    ).toBe(403);
    expect(
      (await call("DELETE", `/api/v1/projects/${project.id}`, { token: readOnly })).status,
    ).toBe(403);
    expect(
      (await call("POST", "/api/v1/projects", { token: keyA.secret, body: { name: "" } })).status,
    ).toBe(422);
    expect(
      (
        await call("PATCH", `/api/v1/projects/${project.id}`, {
          token: keyA.secret,
          body: { x: 1 },
        })
      ).status,
    ).toBe(422);
    expect(
      (await call("DELETE", `/api/v1/projects/${foreign}`, { token: keyA.secret })).status,
    ).toBe(404);
    const refused = await callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: `/orgs/${orgA.slug}`,
      actionId: serverActionId("src/app/orgs/[slug]/actions.ts", "createProjectAction"),
      args: [orgA.slug, { status: "idle" }, new FormData()],
      token: member,
    });
    expect(refused.status).toBe("error");

    expect(await rowCount(orgA.id)).toBe(before);
  });
});

describe("API keys in settings", () => {
  const ACTIONS = "src/api-keys/actions.ts";

  it("records an organization key created and revoked, with its id, name and scopes and never its secret", async () => {
    const token = await session(alice, orgA.id);
    const from = `/orgs/${orgA.slug}/settings/api-keys`;
    const name = unique("deploy");
    const created = await createKey({ kind: "organization", slug: orgA.slug }, token, {
      name,
      scopes: ["projects:read", "audit:read"],
      expiry: "never",
    });
    if (created.status !== "created") throw new Error(`not created: ${JSON.stringify(created)}`);
    const revoked = await callServerAction<{ ok: boolean }>({
      appUrl: app.url,
      page: from,
      actionId: serverActionId(ACTIONS, "revokeApiKeyAction"),
      args: [{ kind: "organization", slug: orgA.slug }, created.key.id],
      token,
    });
    expect(revoked.ok).toBe(true);

    const events = await eventsOf(keyA.secret, created.key.id);
    const changes = { name, scopes: ["projects:read", "audit:read"], expires_at: null };
    expect(events).toEqual([
      expect.objectContaining({
        kind: "api_key.revoked",
        actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
        changes,
      }),
      expect.objectContaining({
        kind: "api_key.created",
        tenant_id: orgA.id,
        actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
        target: { type: "api_key", id: created.key.id },
        changes,
        request_id: expect.any(String),
        client_address: expect.stringMatching(LOOPBACK),
      }),
    ]);
    expect(JSON.stringify(await rowsOf(created.key.id))).not.toContain(created.key.secret);
  });

  it("records a personal key in the user's own workspace, which only that user's session sees", async () => {
    const created = await createKey({ kind: "personal" }, await session(alice, orgA.id), {
      name: unique("mine"),
      scopes: ["projects:read"],
      expiry: "7d",
    });
    if (created.status !== "created") throw new Error("not created");
    const personal = await eventsOf(await session(alice, null), created.key.id);
    expect(personal).toEqual([
      expect.objectContaining({
        kind: "api_key.created",
        tenant_id: alice,
        changes: expect.objectContaining({ expires_at: expect.any(String) }),
      }),
    ]);
    expect(await eventsOf(keyA.secret, created.key.id)).toEqual([]);
  });

  it("records nothing when a member without the permission tries to revoke the organization's key", async () => {
    const key = await clerk.apiKeys.create({ name: unique("kept"), subject: orgA.id });
    const result = await callServerAction<{ ok: boolean }>({
      appUrl: app.url,
      page: `/orgs/${orgA.slug}/settings/api-keys`,
      actionId: serverActionId(ACTIONS, "revokeApiKeyAction"),
      args: [{ kind: "organization", slug: orgA.slug }, key.id],
      token: await session(bob, orgA.id),
    });
    expect(result.ok).toBe(false);
    expect(await rowsOf(key.id)).toEqual([]);
  });
});

describe("connected apps", () => {
  const ACTION = "src/app/settings/connected-apps/actions.ts";

  // An application the user connected through Clerk's consent screen, choosing `organizationId`
  // (null: no organization, the user's personal workspace), as seen by the app once it acts.
  async function connectedApp(organizationId: string | null) {
    const name = unique("Assistant");
    const application = await clerk.oauthApplications.create({
      name,
      scopes: "projects:read members:read user:org:read",
    });
    const scopes = ["projects:read", ...(organizationId ? ["user:org:read"] : [])];
    const minted = await emulatorRequest(emulator.url, "POST", "/__emulator/oauth_access_tokens", {
      user_id: alice,
      oauth_application_id: application.id,
      organization_id: organizationId,
      scopes,
    });
    expect(minted.status).toBe(200);
    const token = minted.body.access_token as string;
    const me = await call("GET", "/api/v1/me", { token });
    expect(me.status).toBe(200);
    expect(me.body.org_id).toBe(organizationId);
    return { name, clientId: application.clientId, scopes, token };
  }

  async function setConnection(clientId: string, disconnected: boolean) {
    return callServerAction<{ ok: boolean; message: string }>({
      appUrl: app.url,
      page: "/settings/connected-apps",
      actionId: serverActionId(ACTION, "setAppConnectionAction"),
      args: [clientId, disconnected],
      token: await session(alice, orgA.id),
    });
  }

  it("records a disconnection and a reconnection in the organization the application acts in, by the user, once each", async () => {
    const connected = await connectedApp(orgA.id);
    expect(await setConnection(connected.clientId, true)).toEqual({
      ok: true,
      message: `Disconnected “${connected.name}”.`,
    });
    expect((await call("GET", "/api/v1/me", { token: connected.token })).status).toBe(401);
    // A second click changes nothing, and records nothing.
    expect((await setConnection(connected.clientId, true)).ok).toBe(true);
    expect(await setConnection(connected.clientId, false)).toEqual({
      ok: true,
      message: `Reconnected “${connected.name}”.`,
    });

    const events = await eventsOf(keyA.secret, connected.clientId);
    const common = {
      tenant_id: orgA.id,
      actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
      target: { type: "oauth_app", id: connected.clientId },
      changes: { name: connected.name, scopes: connected.scopes },
      request_id: expect.any(String),
      client_address: expect.stringMatching(LOOPBACK),
    };
    expect(events).toEqual([
      expect.objectContaining({ ...common, kind: "oauth_app.reconnected" }),
      expect.objectContaining({ ...common, kind: "oauth_app.disconnected" }),
    ]);
    expect(await eventsOf(auditKeyB, connected.clientId)).toEqual([]);

    const activity = await page(`/orgs/${orgA.slug}/activity`, await session(alice, orgA.id));
    const rows = rowsIn(activity.html).filter((r) => r.includes(connected.name));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("App reconnected");
    expect(rows[1]).toContain("App disconnected");
    for (const row of rows) {
      expect(row).toContain(`“${connected.name}” with projects:read<`);
      expect(row).toContain("Alice");
    }
  });

  it("records a disconnection of an application acting in no organization in the user's personal workspace, which only that user sees", async () => {
    const connected = await connectedApp(null);
    expect((await setConnection(connected.clientId, true)).ok).toBe(true);
    expect(await eventsOf(await session(alice, null), connected.clientId)).toEqual([
      expect.objectContaining({
        kind: "oauth_app.disconnected",
        tenant_id: alice,
        actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
        changes: { name: connected.name, scopes: ["projects:read"] },
      }),
    ]);
    expect(await eventsOf(keyA.secret, connected.clientId)).toEqual([]);
  });

  it("records nothing for an application that never acted for the user", async () => {
    const clientId = unique("no-such-client");
    expect((await setConnection(clientId, true)).ok).toBe(false);
    expect(await rowsOf(clientId)).toEqual([]);
  });
});

describe("memberships and invitations from Clerk's webhooks", () => {
  it("records a member added, their role changed and their removal once each, by Clerk, with the delivery's request id", async () => {
    const dave = (await clerk.users.createUser({ emailAddress: [`${unique("dave")}@example.com`] }))
      .id;
    // One step at a time, as an admin would make them: each event is stored before the next change.
    const stored = async (id: string, n: number) =>
      eventually(
        () => rowsOf(id),
        (r) => r.length === n,
      );
    const membership = await clerk.organizations.createOrganizationMembership({
      organizationId: orgA.id,
      userId: dave,
      role: "org:member",
    });
    await stored(membership.id, 1);
    await clerk.organizations.updateOrganizationMembership({
      organizationId: orgA.id,
      userId: dave,
      role: "org:admin",
    });
    await stored(membership.id, 2);
    await clerk.organizations.deleteOrganizationMembership({
      organizationId: orgA.id,
      userId: dave,
    });

    const rows = await eventually(
      () => rowsOf(membership.id),
      (r) => r.length === 3,
    );
    expect(rows.map((r) => r.kind)).toEqual([
      "membership.created",
      "membership.role_changed",
      "membership.deleted",
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        tenant_id: orgA.id,
        actor_type: "clerk",
        actor_id: null,
        request_id: expect.any(String),
        client_address: null,
      });
    }
    expect(rows[1]?.changes).toEqual({
      user_id: dave,
      role: "org:admin",
      previous_role: "org:member",
    });
    const listed = await eventsOf(keyA.secret, membership.id);
    expect(listed.map((e) => e.actor)).toEqual(
      Array(3).fill({ type: "clerk", id: null, name: null, impersonator_id: null }),
    );
  });

  it("keeps the names of the people in each row after their account is deleted", async () => {
    const erin = await clerk.users.createUser({
      emailAddress: [`${unique("erin")}@example.com`],
      firstName: "Erin",
      lastName: "Gone",
    });
    const membership = await clerk.organizations.createOrganizationMembership({
      organizationId: orgA.id,
      userId: erin.id,
      role: "org:admin",
    });
    await eventually(
      () => rowsOf(membership.id),
      (r) => r.length === 1,
    );
    const token = await session(erin.id, orgA.id);
    const name = unique("By Erin");
    const created = await call("POST", "/api/v1/projects", { token, body: { name } });
    expect(created.status).toBe(201);

    await clerk.users.deleteUser(erin.id);
    await eventually(
      async () => (await database.sql`select deleted_at from users where id = ${erin.id}`)[0],
      (row) => Boolean(row?.deleted_at),
    );
    const [project] = await eventsOf(keyA.secret, created.body.id);
    expect(project?.actor).toEqual({
      type: "user",
      id: erin.id,
      name: "Erin Gone",
      impersonator_id: null,
    });
    const activity = await page(`/orgs/${orgA.slug}/activity`, await session(alice, orgA.id));
    const rows = rowsIn(activity.html);
    expect(rows.find((r) => r.includes(name))).toContain("Erin Gone");
    const added = rows.find((r) => r.includes("Member added") && r.includes("Erin Gone")) ?? "";
    expect(added).toContain("An admin, in Clerk");
    expect(activity.html).not.toContain(erin.id);
  });

  const organization = (): OrganizationFields => ({
    id: orgA.id,
    name: "Org A",
    slug: orgA.slug,
    updatedAt: Date.now(),
  });

  it("records invitations sent, accepted and revoked, naming the inviter and the user who accepted", async () => {
    const now = Date.now();
    const sent = {
      id: `orginv_${unique("i")}`,
      organization: organization(),
      email: "grace@example.com",
      role: "org:member",
      inviterId: alice,
      createdAt: now,
      updatedAt: now,
    };
    const other = { ...sent, id: `orginv_${unique("i")}`, email: "eve@example.com" };
    for (const [event, svixId] of [
      [invitationEvent("organizationInvitation.created", sent), newSvixId()],
      [
        invitationEvent("organizationInvitation.accepted", {
          ...sent,
          acceptedBy: bob,
          updatedAt: now + 1_000,
        }),
        newSvixId(),
      ],
      [invitationEvent("organizationInvitation.created", other), newSvixId()],
      [
        invitationEvent("organizationInvitation.revoked", { ...other, updatedAt: now + 2_000 }),
        newSvixId(),
      ],
    ] as const) {
      expect((await deliver(webhookUrl, event, { svixId })).status).toBe(200);
    }

    expect(await eventsOf(keyA.secret, sent.id)).toEqual([
      expect.objectContaining({
        kind: "invitation.accepted",
        actor: { type: "user", id: bob, name: "Bob", impersonator_id: null },
        changes: { email_address: "grace@example.com", role: "org:member", user_id: bob },
        occurred_at: new Date(now + 1_000).toISOString(),
      }),
      expect.objectContaining({
        kind: "invitation.created",
        actor: { type: "user", id: alice, name: "Alice", impersonator_id: null },
        target: { type: "invitation", id: sent.id },
        changes: { email_address: "grace@example.com", role: "org:member" },
        client_address: null,
      }),
    ]);
    // Clerk's payload does not say who revoked it: Clerk is named, not a guess.
    expect((await eventsOf(keyA.secret, other.id))[0]).toMatchObject({
      kind: "invitation.revoked",
      actor: { type: "clerk", id: null, name: null, impersonator_id: null },
    });
  });

  it("records a redelivered event once, also when the copies race", async () => {
    const now = Date.now();
    const invitation = {
      id: `orginv_${unique("i")}`,
      organization: organization(),
      email: "dup@example.com",
      role: "org:member",
      inviterId: null,
      updatedAt: now,
    };
    const event = invitationEvent("organizationInvitation.created", invitation);
    const svixId = newSvixId();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => deliver(webhookUrl, event, { svixId }).then((r) => r.json())),
    );
    expect(answers.filter((a) => a.status === "processed")).toHaveLength(1);
    await deliver(webhookUrl, event, { svixId });
    expect(await rowsOf(invitation.id)).toHaveLength(1);
  });

  it("records a role change that arrives before its membership, in Clerk's order, without inventing the previous role", async () => {
    const member = { id: `user_${unique("late")}`, firstName: "Late" };
    const base = { id: `orgmem_${unique("m")}`, organization: organization(), user: member };
    const t = Date.now();
    const created = membershipEvent("organizationMembership.created", {
      ...base,
      role: "org:member",
      updatedAt: t,
    });
    const updated = membershipEvent("organizationMembership.updated", {
      ...base,
      role: "org:admin",
      updatedAt: t + 1_000,
    });
    await deliver(webhookUrl, updated);
    await deliver(webhookUrl, created);
    const events = await eventsOf(keyA.secret, base.id);
    expect(events.map((e) => [e.kind, e.changes])).toEqual([
      ["membership.role_changed", { user_id: member.id, role: "org:admin", previous_role: null }],
      ["membership.created", { user_id: member.id, role: "org:member" }],
    ]);
  });

  it("records no role change for an update that keeps the role", async () => {
    const base = {
      id: `orgmem_${unique("m")}`,
      organization: organization(),
      user: { id: `user_${unique("same")}` },
      role: "org:member",
    };
    const t = Date.now();
    await deliver(
      webhookUrl,
      membershipEvent("organizationMembership.created", { ...base, updatedAt: t }),
    );
    await deliver(
      webhookUrl,
      membershipEvent("organizationMembership.updated", { ...base, updatedAt: t + 1_000 }),
    );
    expect((await rowsOf(base.id)).map((r) => r.kind)).toEqual(["membership.created"]);
  });
});

describe("verified domains from Clerk's webhooks", () => {
  it("records a domain added, verified, given another enrollment mode and removed, and names the domain of an automatic invitation, in words on the Activity page", async () => {
    const name = `${unique("corp")}.test`;
    const stored = (id: string, n: number) =>
      eventually(
        () => rowsOf(id),
        (r) => r.length === n,
      );
    const domain = await clerk.organizations.createOrganizationDomain({
      organizationId: orgA.id,
      name,
      enrollmentMode: "automatic_invitation",
      verified: false,
    });
    await stored(domain.id, 1);
    await clerk.organizations.updateOrganizationDomain({
      organizationId: orgA.id,
      domainId: domain.id,
      verified: true,
    });
    await stored(domain.id, 2);
    // Someone with an address there signs up: Clerk invites them, and nobody sent it.
    const newcomer = `erin@${name}`;
    await clerk.users.createUser({ emailAddress: [newcomer] });
    const invited = await eventually(
      () => database.sql`
        select changes from audit_events
        where tenant_id = ${orgA.id} and kind = 'invitation.created'
          and changes->>'email_address' = ${newcomer}`,
      (r) => r.length === 1,
    );
    expect(invited[0]?.changes).toEqual({
      email_address: newcomer,
      role: "org:member",
      domain: name,
    });
    await clerk.organizations.updateOrganizationDomain({
      organizationId: orgA.id,
      domainId: domain.id,
      enrollmentMode: "automatic_suggestion",
    });
    await stored(domain.id, 3);
    await clerk.organizations.deleteOrganizationDomain({
      organizationId: orgA.id,
      domainId: domain.id,
    });
    const rows = await stored(domain.id, 4);
    expect(rows.map((r) => [r.kind, r.changes])).toEqual([
      ["domain.added", { name, verified: false, enrollment_mode: "automatic_invitation" }],
      [
        "domain.updated",
        {
          name,
          verified: true,
          enrollment_mode: "automatic_invitation",
          previous_verified: false,
          previous_enrollment_mode: "automatic_invitation",
        },
      ],
      [
        "domain.updated",
        {
          name,
          verified: true,
          enrollment_mode: "automatic_suggestion",
          previous_verified: true,
          previous_enrollment_mode: "automatic_invitation",
        },
      ],
      ["domain.removed", { name }],
    ]);
    expect(rows.every((r) => r.actor_type === "clerk" && r.tenant_id === orgA.id)).toBe(true);

    const activity = await page(`/orgs/${orgA.slug}/activity`, await session(alice, orgA.id));
    const described = rowsIn(activity.html).filter((r) => r.includes(name));
    const shown = (label: string, summary: string) =>
      described.some((r) => r.includes(`>${label}</td>`) && r.includes(`>${summary}<`));
    expect(shown("Domain added", `${name}: not verified yet, automatic invitations`)).toBe(true);
    expect(shown("Domain changed", `${name}: verified`)).toBe(true);
    expect(
      shown(
        "Domain changed",
        `${name}: automatic suggestions (people ask to join, an admin approves) (was automatic invitations)`,
      ),
    ).toBe(true);
    expect(shown("Domain removed", name)).toBe(true);
    expect(
      shown("Invitation sent", `${newcomer} as member, automatically (an address at ${name})`),
    ).toBe(true);
  });

  it("records a domain update that arrives before the domain, without inventing what it was", async () => {
    const t = Date.now();
    const domain = {
      id: `orgdmn_${unique("d")}`,
      organization: { id: orgA.id, name: "Org A", slug: orgA.slug, updatedAt: t },
      name: `${unique("early")}.test`,
      enrollmentMode: "manual_invitation" as const,
      verified: false,
      updatedAt: t,
    };
    await deliver(
      webhookUrl,
      domainEvent("organizationDomain.updated", { ...domain, verified: true, updatedAt: t + 1 }),
    );
    await deliver(webhookUrl, domainEvent("organizationDomain.created", domain));
    const rows = await rowsOf(domain.id);
    expect(rows.map((r) => [r.kind, r.changes])).toEqual([
      [
        "domain.added",
        { name: domain.name, verified: false, enrollment_mode: "manual_invitation" },
      ],
      [
        "domain.updated",
        {
          name: domain.name,
          verified: true,
          enrollment_mode: "manual_invitation",
          previous_verified: null,
          previous_enrollment_mode: null,
        },
      ],
    ]);
  });
});

describe("reading the audit log", () => {
  it("never shows another tenant's events, through the API or the Activity page", async () => {
    const secret = unique("Only in A");
    const created = await call("POST", "/api/v1/projects", {
      token: keyA.secret,
      body: { name: secret },
    });
    expect(await eventsOf(keyA.secret, created.body.id)).toHaveLength(1);
    expect(await eventsOf(auditKeyB, created.body.id)).toEqual([]);
    const all = await call("GET", "/api/v1/audit-events?limit=100", { token: auditKeyB });
    expect(all.body.data.every((e: AuditEventJson) => e.tenant_id === orgB.id)).toBe(true);

    const carolsPage = await page(`/orgs/${orgA.slug}/activity`, await session(carol, orgB.id));
    expect(carolsPage.status).toBe(404);
    expect(carolsPage.html).not.toContain(secret);
    const ownPage = await page(`/orgs/${orgB.slug}/activity`, await session(carol, orgB.id));
    expect(ownPage.html).not.toContain(secret);
  });

  it("lets an admin's session read the log (org:audit:read), through the API and on the Activity page linked from the header", async () => {
    const token = await session(alice, orgA.id);
    const name = unique("Seen by admins");
    const created = await call("POST", "/api/v1/projects", { token: keyA.secret, body: { name } });
    expect(await eventsOf(token, created.body.id)).toEqual([
      expect.objectContaining({ kind: "project.created", tenant_id: orgA.id }),
    ]);
    const dashboard = await page(`/orgs/${orgA.slug}`, token);
    expect(dashboard.html).toContain(`href="/orgs/${orgA.slug}/activity"`);

    const activity = await page(`/orgs/${orgA.slug}/activity`, token);
    expect(activity.status).toBe(200);
    const row = rowsIn(activity.html).find((r) => r.includes(name)) ?? "";
    expect(row).toContain("Project created");
    expect(row).toContain(`API key “${keyA.name}”`);
    const keysOnly = await page(`/orgs/${orgA.slug}/activity?kind=api_key.created`, token);
    const keyRows = rowsIn(keysOnly.html);
    expect(keyRows.length).toBeGreaterThan(0);
    expect(keyRows.every((r) => r.includes("API key created"))).toBe(true);
  });

  it("pages the Activity page 25 events at a time, newest first, each event once", async () => {
    const b = await clerk.organizations.createOrganization({ name: "Busy", createdBy: alice });
    await subscribeOrganization(emulator.url, b.id, "team");
    await eventually(
      () => storedPlanOf(database, b.id),
      (plan) => plan === "team",
    );
    const writer = (
      await clerk.apiKeys.create({ name: unique("busy"), subject: b.id, scopes: ALL_SCOPES })
    ).secret as string;
    for (let i = 1; i <= 27; i++) {
      await call("POST", "/api/v1/projects", { token: writer, body: { name: `Busy ${i}` } });
    }
    const token = await session(alice, b.id);
    const first = await page(`/orgs/${b.slug}/activity?kind=project.created`, token);
    const older = /href="([^"]*cursor=[^"]*)"[^>]*>Older</.exec(first.html)?.[1];
    expect(older).toBeDefined();
    const second = await page((older ?? "").replaceAll("&amp;", "&"), token);
    const names = [...rowsIn(first.html), ...rowsIn(second.html)].map(
      (r) => /Busy \d+/.exec(r)?.[0],
    );
    expect(rowsIn(first.html)).toHaveLength(25);
    expect(names).toEqual(Array.from({ length: 27 }, (_, i) => `Busy ${27 - i}`));
    expect(second.html).not.toMatch(/>Older</);
    expect(second.html).toMatch(/>Newest</);
  });

  it("answers 403 naming audit:read to a key without it, and org:audit:read to a member's session", async () => {
    const noScope = (
      await clerk.apiKeys.create({
        name: unique("no-audit"),
        subject: orgA.id,
        scopes: ["projects:read"],
      })
    ).secret as string;
    const keyAnswer = await call("GET", "/api/v1/audit-events", { token: noScope });
    expect(keyAnswer).toMatchObject({ status: 403, body: { missing_scope: "audit:read" } });
    const sessionAnswer = await call("GET", "/api/v1/audit-events", {
      token: await session(bob, orgA.id),
    });
    expect(sessionAnswer).toMatchObject({
      status: 403,
      body: { missing_permission: "org:audit:read" },
    });
  });

  it("tells a member without org:audit:read to ask an admin on the Activity page, lists nothing, and links no Activity", async () => {
    const name = unique("Hidden from members");
    await call("POST", "/api/v1/projects", { token: keyA.secret, body: { name } });
    const token = await session(bob, orgA.id);
    const activity = await page(`/orgs/${orgA.slug}/activity`, token);
    expect(activity.status).toBe(200);
    expect(activity.html).toContain("Only admins can see this organization&#x27;s activity.");
    expect(activity.html).not.toContain(name);
    const dashboard = await page(`/orgs/${orgA.slug}`, token);
    expect(dashboard.html).toContain(name);
    expect(dashboard.html).not.toContain(`href="/orgs/${orgA.slug}/activity"`);
  });

  it("answers 422 naming the parameter to an unknown kind or a foreign cursor", async () => {
    const kind = await call("GET", "/api/v1/audit-events?kind=project", { token: keyA.secret });
    expect(kind.status).toBe(422);
    expect(kind.body.errors.map((e: { field: string }) => e.field)).toEqual(["kind"]);
    const projects = await call("GET", "/api/v1/projects?limit=1", { token: keyA.secret });
    const cursor = await call(
      "GET",
      `/api/v1/audit-events?cursor=${encodeURIComponent(projects.body.next_cursor)}`,
      { token: keyA.secret },
    );
    expect(cursor.body.errors.map((e: { field: string }) => e.field)).toEqual(["cursor"]);
  });

  it("pages through a workspace's events newest first, each once, filtered by kind", async () => {
    const owner = (
      await clerk.users.createUser({ emailAddress: [`${unique("pager")}@example.com`] })
    ).id;
    const token = (
      await clerk.apiKeys.create({ name: unique("pager"), subject: owner, scopes: ALL_SCOPES })
    ).secret as string;
    const ids: string[] = [];
    for (const name of ["p1", "p2", "p3", "p4", "p5"]) {
      ids.unshift((await call("POST", "/api/v1/projects", { token, body: { name } })).body.id);
    }
    await call("DELETE", `/api/v1/projects/${ids[0]}`, { token });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `kind=project.created&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await call("GET", `/api/v1/audit-events?${query}`, { token });
      expect(res.body.data.every((e: AuditEventJson) => e.kind === "project.created")).toBe(true);
      seen.push(...res.body.data.map((e: AuditEventJson) => e.target.id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const everything = await call("GET", "/api/v1/audit-events", { token });
    expect(everything.body.data.map((e: AuditEventJson) => e.kind)).toEqual([
      "project.deleted",
      ...Array(5).fill("project.created"),
    ]);
  });
});
