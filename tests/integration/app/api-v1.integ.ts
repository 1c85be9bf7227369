import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { organizationMemberships, organizations, projects, users } from "../../../src/db/schema";
import { type ApiContract, apiContract } from "../../support/api-contract";
import { appStack } from "../../support/app-stack";
import { mintSession, subscribeOrganization, unique } from "../../support/emulator-client";

// The /api/v1 matrix: a production build (next start) with the real @clerk/backend verifying
// credentials against the emulator, and every response held to the app's own OpenAPI document.

const ALL_SCOPES = ["projects:read", "projects:write", "members:read", "audit:read"];

const { app, emulator, clerk } = appStack();
let contract: ApiContract;
let client: postgres.Sql;
let db: ReturnType<typeof drizzle>;

type Person = { id: string; email: string };
let alice: Person; // admin of org A
let bob: Person; // member of org A
let carol: Person; // admin of org B, and has a personal workspace
let orgA: string;
let orgB: string;
let projectA: string; // belongs to org A
let projectB: string; // belongs to org B
let keyA: string; // org A, all scopes
let keyB: string; // org B, all scopes
let keyCarol: string; // carol's personal key, all scopes
let expiredKey: { secret: string; expiration: number };

beforeAll(async () => {
  const databaseUrl = inject("databaseUrl");
  client = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  db = drizzle(client);
  const doc = await fetch(`${app.url}/api/v1/openapi.json`).then((r) => r.json());
  contract = apiContract(doc);

  alice = await person("alice");
  bob = await person("bob");
  carol = await person("carol");
  orgA = (await clerk.organizations.createOrganization({ name: "Org A", createdBy: alice.id })).id;
  orgB = (await clerk.organizations.createOrganization({ name: "Org B", createdBy: carol.id })).id;
  await clerk.organizations.createOrganizationMembership({
    organizationId: orgA,
    userId: bob.id,
    role: "org:member",
  });
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  for (const id of [orgA, orgB]) await subscribeOrganization(emulator.url, id, "team");
  keyA = await secret(orgA, ALL_SCOPES);
  keyB = await secret(orgB, ALL_SCOPES);
  keyCarol = await secret(carol.id, ALL_SCOPES);
  projectA = (await call("POST", "/api/v1/projects", { token: keyA, body: { name: "A1" } })).body
    .id;
  projectB = (await call("POST", "/api/v1/projects", { token: keyB, body: { name: "B1" } })).body
    .id;
  const expiring = await clerk.apiKeys.create({
    name: unique("expiring"),
    subject: orgA,
    scopes: ALL_SCOPES,
    secondsUntilExpiration: 1,
  });
  expiredKey = { secret: expiring.secret ?? "", expiration: expiring.expiration ?? 0 };
});

afterAll(async () => {
  await client?.end();
});

async function person(name: string): Promise<Person> {
  const email = `${unique(name)}@example.com`;
  const user = await clerk.users.createUser({ emailAddress: [email], firstName: name });
  return { id: user.id, email };
}

async function secret(subject: string, scopes: string[]): Promise<string> {
  const key = await clerk.apiKeys.create({ name: unique("key"), subject, scopes });
  if (!key.secret) throw new Error("create returned no secret");
  return key.secret;
}

async function session(user: Person, organizationId: string | null): Promise<string> {
  return (await mintSession(emulator.url, { user_id: user.id, organization_id: organizationId }))
    .token;
}

type CallOptions = { token?: string; body?: unknown; raw?: string; contentType?: string };

// One request to the app; its answer must match the OpenAPI document.
async function call(method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  const res = await fetch(`${app.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `${method} ${path} -> ${res.status} answered with non-JSON: ${text.slice(0, 200)}`,
      );
    }
  }
  const problems = contract.check({
    method,
    path,
    status: res.status,
    contentType: res.headers.get("content-type"),
    body,
  });
  if (problems.length > 0) {
    throw new Error(
      `${method} ${path} does not match the OpenAPI document:\n${problems.join("\n")}`,
    );
  }
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: res.status, body: body as any, headers: res.headers };
}

const fieldsOf = (body: { errors: { field: string }[] }) => body.errors.map((e) => e.field).sort();
const waitUntil = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));

const ROUTES: { label: string; method: string; path: () => string; body?: unknown }[] = [
  { label: "GET /me", method: "GET", path: () => "/api/v1/me" },
  { label: "GET /projects", method: "GET", path: () => "/api/v1/projects" },
  { label: "POST /projects", method: "POST", path: () => "/api/v1/projects", body: { name: "n" } },
  { label: "GET /projects/{id}", method: "GET", path: () => `/api/v1/projects/${projectA}` },
  {
    label: "PATCH /projects/{id}",
    method: "PATCH",
    path: () => `/api/v1/projects/${projectA}`,
    body: { name: "n" },
  },
  { label: "DELETE /projects/{id}", method: "DELETE", path: () => `/api/v1/projects/${projectA}` },
  { label: "GET /members", method: "GET", path: () => "/api/v1/members" },
  { label: "GET /audit-events", method: "GET", path: () => "/api/v1/audit-events" },
];

describe.each(ROUTES)("$label", ({ method, path, body }) => {
  async function expect401(token?: string) {
    const res = await call(method, path(), { token, body });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ type: "/problems/unauthenticated", status: 401 });
  }

  it("answers 401 without a token", async () => {
    await expect401();
  });

  it("answers 401 to a malformed token", async () => {
    await expect401("not.a.jwt");
  });

  it("answers 401 to an unknown API key", async () => {
    await expect401(`ak_${"x".repeat(40)}`);
  });

  it("answers 401 to an API key right after it is revoked", async () => {
    const key = await clerk.apiKeys.create({
      name: unique("revoked"),
      subject: orgA,
      scopes: ALL_SCOPES,
    });
    await clerk.apiKeys.revoke({ apiKeyId: key.id, revocationReason: "test" });
    await expect401(key.secret);
  });

  it("answers 401 to an expired API key", async () => {
    await waitUntil(expiredKey.expiration + 50);
    await expect401(expiredKey.secret);
  });
});

describe("API key lifecycle", () => {
  // Revoked after use: tests/integration/app/credential-cache.integ.ts (at once through the app,
  // within API_KEY_CACHE_SECONDS at Clerk).
  it("accepts a key until it expires and refuses it after", async () => {
    const key = await clerk.apiKeys.create({
      name: unique("short"),
      subject: orgA,
      scopes: ALL_SCOPES,
      secondsUntilExpiration: 1,
    });
    expect((await call("GET", "/api/v1/me", { token: key.secret })).status).toBe(200);
    await waitUntil((key.expiration ?? 0) + 50);
    expect((await call("GET", "/api/v1/me", { token: key.secret })).status).toBe(401);
  });
});

describe("tenant isolation", () => {
  it("shows a user's key only the projects of its personal workspace", async () => {
    const mine = await call("POST", "/api/v1/projects", {
      token: keyCarol,
      body: { name: "Mine" },
    });
    expect(mine.body.tenant_id).toBe(carol.id);
    const list = await call("GET", "/api/v1/projects", { token: keyCarol });
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
    // Carol is an admin of org B, yet her personal key does not reach org B's projects.
    expect((await call("GET", `/api/v1/projects/${projectB}`, { token: keyCarol })).status).toBe(
      404,
    );
  });

  it("shows an organization's key only its organization's projects", async () => {
    const list = await call("GET", "/api/v1/projects?limit=100", { token: keyA });
    const tenants = new Set(list.body.data.map((p: { tenant_id: string }) => p.tenant_id));
    expect([...tenants]).toEqual([orgA]);
    expect(list.body.data.map((p: { id: string }) => p.id)).toContain(projectA);
  });

  it("answers 404 when org A's key reads, changes or deletes org B's project, and changes nothing", async () => {
    for (const [method, body] of [
      ["GET"],
      ["PATCH", { name: "taken over" }],
      ["DELETE"],
    ] as const) {
      const res = await call(method, `/api/v1/projects/${projectB}`, { token: keyA, body });
      expect(res.status, method).toBe(404);
      expect(res.body).toMatchObject({ type: "/problems/not-found" });
      expect(JSON.stringify(res.body)).not.toContain(orgB);
    }
    const still = await call("GET", `/api/v1/projects/${projectB}`, { token: keyB });
    expect(still.body).toMatchObject({ id: projectB, name: "B1" });
  });

  it("shows an organization's key only its organization's audit events", async () => {
    const list = await call("GET", "/api/v1/audit-events?limit=100", { token: keyA });
    expect(list.status).toBe(200);
    const tenants = new Set(list.body.data.map((e: { tenant_id: string }) => e.tenant_id));
    expect([...tenants]).toEqual([orgA]);
    const targets = list.body.data.map((e: { target: { id: string } }) => e.target.id);
    expect(targets).toContain(projectA);
    expect(targets).not.toContain(projectB);
  });

  it("answers 404, not 422, for an id that is not a project id at all", async () => {
    expect((await call("GET", "/api/v1/projects/not-a-uuid", { token: keyA })).status).toBe(404);
  });

  it("answers 404 to a session active in org B for org A's project", async () => {
    const token = await session(carol, orgB);
    expect((await call("GET", `/api/v1/projects/${projectA}`, { token })).status).toBe(404);
  });

  it("makes a project created in one organization invisible to the other", async () => {
    const created = await call("POST", "/api/v1/projects", {
      token: keyB,
      body: { name: "B only" },
    });
    const listA = await call("GET", "/api/v1/projects?limit=100", { token: keyA });
    expect(listA.body.data.map((p: { id: string }) => p.id)).not.toContain(created.body.id);
  });
});

describe("scopes", () => {
  const NEEDS: {
    label: string;
    method: string;
    path: () => string;
    body?: unknown;
    scope: string;
  }[] = [
    {
      label: "GET /projects",
      method: "GET",
      path: () => "/api/v1/projects",
      scope: "projects:read",
    },
    {
      label: "POST /projects",
      method: "POST",
      path: () => "/api/v1/projects",
      body: { name: "x" },
      scope: "projects:write",
    },
    {
      label: "GET /projects/{id}",
      method: "GET",
      path: () => `/api/v1/projects/${projectA}`,
      scope: "projects:read",
    },
    {
      label: "PATCH /projects/{id}",
      method: "PATCH",
      path: () => `/api/v1/projects/${projectA}`,
      body: { name: "x" },
      scope: "projects:write",
    },
    {
      label: "DELETE /projects/{id}",
      method: "DELETE",
      path: () => `/api/v1/projects/${projectA}`,
      scope: "projects:write",
    },
    { label: "GET /members", method: "GET", path: () => "/api/v1/members", scope: "members:read" },
    {
      label: "GET /audit-events",
      method: "GET",
      path: () => "/api/v1/audit-events",
      scope: "audit:read",
    },
  ];

  it.each(NEEDS)("$label answers 403 naming $scope to a key with every other scope", async (op) => {
    const token = await secret(
      orgA,
      ALL_SCOPES.filter((s) => s !== op.scope),
    );
    const res = await call(op.method, op.path(), { token, body: op.body });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: "/problems/forbidden", missing_scope: op.scope });
    expect(res.body.detail).toContain(op.scope);
  });

  it("lets a key without scopes call GET /me and nothing else", async () => {
    const token = await secret(orgA, []);
    const me = await call("GET", "/api/v1/me", { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ token_type: "api_key", org_id: orgA, scopes: [] });
    for (const op of NEEDS) {
      const res = await call(op.method, op.path(), { token, body: op.body });
      expect(res.status, op.label).toBe(403);
    }
    expect((await call("GET", `/api/v1/projects/${projectA}`, { token: keyA })).status).toBe(200);
  });

  it("lets a read-only key read but not write", async () => {
    const token = await secret(orgA, ["projects:read"]);
    expect((await call("GET", "/api/v1/projects", { token })).status).toBe(200);
    expect((await call("GET", `/api/v1/projects/${projectA}`, { token })).status).toBe(200);
    const res = await call("POST", "/api/v1/projects", { token, body: { name: "nope" } });
    expect(res.body).toMatchObject({ status: 403, missing_scope: "projects:write" });
  });
});

describe("sessions", () => {
  it("lets an admin session (org:projects:manage) create, change and delete its org's projects", async () => {
    const token = await session(alice, orgA);
    const created = await call("POST", "/api/v1/projects", { token, body: { name: "By admin" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenant_id: orgA, created_by: alice.id });
    const id = created.body.id;
    expect(
      (await call("PATCH", `/api/v1/projects/${id}`, { token, body: { name: "Renamed" } })).status,
    ).toBe(200);
    expect((await call("DELETE", `/api/v1/projects/${id}`, { token })).status).toBe(204);
  });

  it("lets a member session without org:projects:manage read, and answers 403 naming it to writes", async () => {
    const token = await session(bob, orgA);
    expect((await call("GET", "/api/v1/projects", { token })).status).toBe(200);
    expect((await call("GET", `/api/v1/projects/${projectA}`, { token })).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/api/v1/projects", { name: "By member" }],
      ["PATCH", `/api/v1/projects/${projectA}`, { name: "By member" }],
      ["DELETE", `/api/v1/projects/${projectA}`, undefined],
    ] as const) {
      const res = await call(method, path, { token, body });
      expect(res.status, method).toBe(403);
      expect(res.body).toMatchObject({ missing_permission: "org:projects:manage" });
      expect(res.body.detail).toContain("org:projects:manage");
    }
    expect((await call("GET", `/api/v1/projects/${projectA}`, { token })).status).toBe(200);
  });

  it("lets a member session read the organization's members", async () => {
    const res = await call("GET", "/api/v1/members", { token: await session(bob, orgA) });
    expect(res.status).toBe(200);
  });

  it("works in the personal workspace when no organization is active", async () => {
    const token = await session(alice, null);
    const created = await call("POST", "/api/v1/projects", { token, body: { name: "Personal" } });
    expect(created.body.tenant_id).toBe(alice.id);
    const list = await call("GET", "/api/v1/projects", { token });
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([created.body.id]);
    const orgList = await call("GET", "/api/v1/projects?limit=100", { token: keyA });
    expect(orgList.body.data.map((p: { id: string }) => p.id)).not.toContain(created.body.id);
  });

  it("answers /me for a session with its organization and permissions", async () => {
    const me = await call("GET", "/api/v1/me", { token: await session(bob, orgA) });
    expect(me.body).toMatchObject({
      token_type: "session_token",
      user_id: bob.id,
      org_id: orgA,
      org_role: "org:member",
      tenant_id: orgA,
      permissions: ["org:projects:read"],
    });
  });
});

describe("projects round trip", () => {
  it("reads back what it wrote: create, get, list, update, delete", async () => {
    const created = await call("POST", "/api/v1/projects", {
      token: keyA,
      body: { name: "  Apollo  ", description: "To the moon" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Apollo",
      description: "To the moon",
      tenant_id: orgA,
    });
    const location = created.headers.get("location");
    expect(location).toBe(`/api/v1/projects/${created.body.id}`);

    const got = await call("GET", location ?? "", { token: keyA });
    expect(got.body).toEqual(created.body);
    const list = await call("GET", "/api/v1/projects", { token: keyA });
    expect(list.body.data[0]).toEqual(created.body);

    const patched = await call("PATCH", location ?? "", { token: keyA, body: { description: "" } });
    expect(patched.body).toMatchObject({ name: "Apollo", description: null });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(
      Date.parse(created.body.updated_at),
    );
    const renamed = await call("PATCH", location ?? "", { token: keyA, body: { name: "Artemis" } });
    expect(renamed.body).toMatchObject({ name: "Artemis", description: null });
    expect((await call("GET", location ?? "", { token: keyA })).body.name).toBe("Artemis");

    expect((await call("DELETE", location ?? "", { token: keyA })).status).toBe(204);
    expect((await call("GET", location ?? "", { token: keyA })).status).toBe(404);
    expect((await call("DELETE", location ?? "", { token: keyA })).status).toBe(404);
  });

  it("records the key as creator when an organization's key creates a project", async () => {
    const me = await call("GET", "/api/v1/me", { token: keyA });
    const created = await call("POST", "/api/v1/projects", {
      token: keyA,
      body: { name: "By key" },
    });
    expect(created.body.created_by).toBe(me.body.api_key.id);
  });
});

describe("pagination", () => {
  it("pages through every project once, newest first", async () => {
    const owner = await person("pager");
    const token = await secret(owner.id, ALL_SCOPES);
    const ids: string[] = [];
    for (const name of ["p1", "p2", "p3", "p4", "p5"]) {
      ids.unshift((await call("POST", "/api/v1/projects", { token, body: { name } })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page = await call("GET", `/api/v1/projects${query}`, { token });
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((p: { id: string }) => p.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it("breaks ties on creation time by id, skipping and repeating nothing", async () => {
    const owner = await person("ties");
    const token = await secret(owner.id, ["projects:read"]);
    // Microseconds, as Postgres keeps them: a cursor rounded to JavaScript's milliseconds would
    // skip these rows.
    const createdAt = sql`'2026-01-01 00:00:00.123456+00'::timestamptz`;
    const rows = await db
      .insert(projects)
      .values(
        ["t1", "t2", "t3"].map((name) => ({
          tenantId: owner.id,
          createdBy: owner.id,
          name,
          createdAt,
        })),
      )
      .returning({ id: projects.id });
    const expected = rows
      .map((r) => r.id)
      .sort()
      .reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 3; i++) {
      const query: string = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : "?limit=1";
      const page = await call("GET", `/api/v1/projects${query}`, { token });
      seen.push(...page.body.data.map((p: { id: string }) => p.id));
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(expected);
    expect(cursor).toBeNull();
  });
});

describe("GET /members", () => {
  let memberIds: { alice: string; bob: string };

  beforeAll(async () => {
    const gone = `user_${unique("gone")}`;
    const left = `user_${unique("left")}`;
    // Reading the organizations' plans from Clerk (their keys' first calls) made placeholder rows.
    await db
      .insert(organizations)
      .values([
        { id: orgA, name: "Org A" },
        { id: orgB, name: "Org B" },
      ])
      .onConflictDoUpdate({ target: organizations.id, set: { name: sql`excluded.name` } });
    await db.insert(users).values([
      { id: alice.id, email: alice.email, firstName: "Alice", lastName: "Admin" },
      { id: bob.id, email: bob.email, firstName: "Bob" },
      { id: carol.id, email: carol.email },
      { id: gone, email: "gone@example.com", deletedAt: new Date() },
      { id: left, email: "left@example.com" },
    ]);
    const prefix = `orgmem_${unique("m")}`;
    memberIds = { alice: `${prefix}_1`, bob: `${prefix}_2` };
    await db.insert(organizationMemberships).values([
      { id: memberIds.alice, organizationId: orgA, userId: alice.id, role: "org:admin" },
      { id: memberIds.bob, organizationId: orgA, userId: bob.id, role: "org:member" },
      // Tombstones: a membership that ended, and a user who was deleted.
      {
        id: `${prefix}_3`,
        organizationId: orgA,
        userId: left,
        role: "org:member",
        deletedAt: new Date(),
      },
      { id: `${prefix}_4`, organizationId: orgA, userId: gone, role: "org:member" },
      { id: `${prefix}_5`, organizationId: orgB, userId: carol.id, role: "org:admin" },
    ]);
  });

  it("lists the organization's current members from the database, without tombstones", async () => {
    const res = await call("GET", "/api/v1/members", { token: keyA });
    expect(res.body).toEqual({
      data: [
        {
          id: memberIds.alice,
          user_id: alice.id,
          role: "org:admin",
          email: alice.email,
          first_name: "Alice",
          last_name: "Admin",
          image_url: null,
        },
        {
          id: memberIds.bob,
          user_id: bob.id,
          role: "org:member",
          email: bob.email,
          first_name: "Bob",
          last_name: null,
          image_url: null,
        },
      ],
      next_cursor: null,
    });
  });

  it("shows an organization's key only its own organization's members", async () => {
    const res = await call("GET", "/api/v1/members", { token: keyB });
    expect(res.body.data.map((m: { user_id: string }) => m.user_id)).toEqual([carol.id]);
  });

  it("lists no members for a personal workspace", async () => {
    const res = await call("GET", "/api/v1/members", { token: keyCarol });
    expect(res.body).toEqual({ data: [], next_cursor: null });
  });

  it("pages through members by cursor", async () => {
    const first = await call("GET", "/api/v1/members?limit=1", { token: keyA });
    expect(first.body.data.map((m: { id: string }) => m.id)).toEqual([memberIds.alice]);
    const second = await call(
      "GET",
      `/api/v1/members?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      { token: keyA },
    );
    expect(second.body.data.map((m: { id: string }) => m.id)).toEqual([memberIds.bob]);
    expect(second.body.next_cursor).toBeNull();
  });
});

describe("input validation", () => {
  const INVALID_CREATES: [string, unknown, string[]][] = [
    ["a missing name", { description: "d" }, ["name"]],
    ["a blank name", { name: "   " }, ["name"]],
    ["a name over 100 characters", { name: "n".repeat(101) }, ["name"]],
    ["a name that is not a string", { name: 42 }, ["name"]],
    [
      "a description over 1000 characters",
      { name: "n", description: "d".repeat(1001) },
      ["description"],
    ],
    ["a description that is not a string", { name: "n", description: ["d"] }, ["description"]],
    ["an unknown field", { name: "n", tenant_id: "org_other" }, ["tenant_id"]],
    [
      "every invalid field at once",
      { name: "", description: 1, owner: "x" },
      ["description", "name", "owner"],
    ],
    ["a body that is not an object", ["name"], ["body"]],
  ];

  it.each(INVALID_CREATES)(
    "POST /projects answers 422 to %s, naming each field",
    async (_l, body, fields) => {
      const res = await call("POST", "/api/v1/projects", { token: keyA, body });
      expect(res.status).toBe(422);
      expect(res.body.type).toBe("/problems/invalid-request");
      expect(fieldsOf(res.body)).toEqual(fields);
      for (const field of fields) expect(res.body.detail).toContain(field);
    },
  );

  it("POST /projects answers 422 to a body that is not JSON", async () => {
    const res = await call("POST", "/api/v1/projects", { token: keyA, raw: "{name:" });
    expect(res.status).toBe(422);
    expect(fieldsOf(res.body)).toEqual(["body"]);
  });

  it("POST /projects answers 415 to a body that is not application/json", async () => {
    const res = await call("POST", "/api/v1/projects", {
      token: keyA,
      raw: "name=x",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
  });

  it("POST /projects answers 413 to a body over 16 KiB", async () => {
    const res = await call("POST", "/api/v1/projects", {
      token: keyA,
      body: { name: "n", description: "d".repeat(17_000) },
    });
    expect(res.status).toBe(413);
  });

  const INVALID_PATCHES: [string, unknown, string[]][] = [
    ["no field at all", {}, ["body"]],
    ["a blank name", { name: "" }, ["name"]],
    ["a description over 1000 characters", { description: "d".repeat(1001) }, ["description"]],
    ["an unknown field", { id: "00000000-0000-4000-8000-000000000000" }, ["id"]],
  ];

  it.each(INVALID_PATCHES)(
    "PATCH /projects/{id} answers 422 to %s, naming each field",
    async (_l, body, fields) => {
      const res = await call("PATCH", `/api/v1/projects/${projectA}`, { token: keyA, body });
      expect(res.status).toBe(422);
      expect(fieldsOf(res.body)).toEqual(fields);
    },
  );

  const INVALID_QUERIES: [string, string, string[]][] = [
    ["/api/v1/projects", "limit=0", ["limit"]],
    ["/api/v1/projects", "limit=101", ["limit"]],
    ["/api/v1/projects", "limit=ten", ["limit"]],
    ["/api/v1/projects", "cursor=bm90LWEtY3Vyc29y", ["cursor"]],
    ["/api/v1/projects", "sort=name", ["sort"]],
    ["/api/v1/members", "limit=1000", ["limit"]],
    ["/api/v1/members", "cursor=x", ["cursor"]],
    ["/api/v1/members", "role=admin&limit=-1", ["limit", "role"]],
  ];

  it.each(INVALID_QUERIES)(
    "GET %s?%s answers 422 naming each parameter",
    async (path, query, fields) => {
      const res = await call("GET", `${path}?${query}`, { token: keyA });
      expect(res.status).toBe(422);
      expect(fieldsOf(res.body)).toEqual(fields);
    },
  );

  it("changes nothing when an update is invalid", async () => {
    await call("PATCH", `/api/v1/projects/${projectB}`, { token: keyB, body: { name: "", x: 1 } });
    expect((await call("GET", `/api/v1/projects/${projectB}`, { token: keyB })).body.name).toBe(
      "B1",
    );
  });
});

describe("the OpenAPI document", () => {
  it("is served to anyone at /api/v1/openapi.json", async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/audit-events",
      "/me",
      "/members",
      "/projects",
      "/projects/{id}",
      "/reconcile",
    ]);
  });

  it("renders the API reference page for anyone, with every operation and a try-it form", async () => {
    // A browser that has visited before (a development instance otherwise starts a handshake).
    const res = await fetch(`${app.url}/docs/api`, {
      headers: { accept: "text/html", cookie: "__clerk_db_jwt=dvb_test_browser" },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const path of ["/me", "/projects", "/projects/{id}", "/members", "/audit-events"]) {
      expect(html).toContain(`/api/v1${path}</code>`);
    }
    expect(html).toContain("/api/internal/reconcile</code>");
    expect(html.match(/Send request/g)).toHaveLength(9);
    expect(html).toContain('href="/api/v1/openapi.json"');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:\/\//);
  });

  // Runs last: by now every test above has held its answers to the document.
  // (The machine route's answers are held to the document by auth-matrix.integ.ts.)
  it("has matched a live success answer of every documented /api/v1 operation", () => {
    const successes = contract.documented.filter((s) => /^\w+ \/api\/v1\/.*\s2\d\d$/.test(s));
    expect(successes.filter((s) => !contract.seen.has(s))).toEqual([]);
  });
});
