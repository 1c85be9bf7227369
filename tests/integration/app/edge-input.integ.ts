import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { appStack } from "../../support/app-stack";
import {
  deliver,
  type InvitationFields,
  invitationEvent,
  userEvent,
} from "../../support/clerk-webhooks";
import {
  clerkFor,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import { TEST_SECRET_KEY } from "../../support/emulator-process";
import { serverActionId } from "../../support/server-action";

// What an attacker probing every input finds: each answer is a clear 4xx problem (never a 500, an
// HTML page or an empty body), and nothing is stored on refusal.

const { app, emulator } = appStack();
let database: AppDatabase;
let org: string;
let orgSlug: string;
let owner: string;
let key: string;

beforeAll(async () => {
  const clerk = clerkFor(emulator.url);
  database = connectAppDatabase(inject("databaseUrl"));
  owner = (await clerk.users.createUser({ emailAddress: [`${unique("edge")}@example.com`] })).id;
  const organization = await clerk.organizations.createOrganization({
    name: unique("Edge"),
    createdBy: owner,
  });
  org = organization.id;
  orgSlug = organization.slug;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, org, "team");
  const created = await clerk.apiKeys.create({
    name: unique("edge"),
    subject: org,
    scopes: ["projects:read", "projects:write"],
  });
  key = created.secret ?? "";
});
afterAll(async () => {
  await database?.close();
});

async function projectCount(): Promise<number> {
  const [row] =
    await database.sql`select count(*)::int as n from projects where tenant_id = ${org}`;
  return row?.n ?? 0;
}

async function send(method: string, path: string, init: RequestInit = {}) {
  return fetch(`${app.url}${path}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${key}`, ...init.headers },
  });
}

// A raw request over a socket, for methods fetch refuses to send (TRACE, CONNECT).
// A raw request over a socket, for what fetch refuses to send (TRACE, CONNECT, a request line in
// absolute form, a Host of the client's choosing).
function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string> = { host: "localhost" },
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { port } = new URL(app.url);
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write(`${method} ${target} HTTP/1.1\r\n${lines.join("")}Connection: close\r\n\r\n`);
    });
    let raw = "";
    socket.on("data", (c) => {
      raw += c;
    });
    socket.on("end", () => {
      const [head = "", body = ""] = raw.split("\r\n\r\n");
      const [statusLine = "", ...fields] = head.split("\r\n");
      const parsed = Object.fromEntries(
        fields.map((f) => [
          f.slice(0, f.indexOf(":")).toLowerCase(),
          f.slice(f.indexOf(":") + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body });
    });
    socket.on("error", reject);
  });
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//) });
  expect(body.instance).toBe(res.headers.get("x-request-id"));
  return body;
}

describe("strings Postgres cannot store", () => {
  it("refuses a NUL character in a project's name with a 422 naming the field, storing nothing", async () => {
    const before = await projectCount();
    const res = await send("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "a\u0000b", description: "ok" }),
    });
    const body = await expectProblem(res, 422);
    expect(body.errors).toEqual([
      { field: "name", message: "must not contain the NUL character (U+0000)" },
    ]);
    expect(await projectCount()).toBe(before);
  });

  it("refuses a NUL character in an update, leaving the project as it was", async () => {
    const created = await send("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Kept" }),
    }).then((r) => r.json());
    const res = await send("PATCH", `/api/v1/projects/${created.id}`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: "x\u0000" }),
    });
    expect((await expectProblem(res, 422)).errors[0].field).toBe("description");
    const after = await send("GET", `/api/v1/projects/${created.id}`).then((r) => r.json());
    expect(after).toMatchObject({ name: "Kept", description: null });
  });

  it("refuses a lone UTF-16 surrogate in a create and an update with a 422 naming the field, storing nothing", async () => {
    const before = await projectCount();
    // JSON.stringify would escape it the same way; written out, so the test says what is sent.
    const res = await send("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: '{"name":"Launch \\ud83d"}',
    });
    expect((await expectProblem(res, 422)).errors).toEqual([
      { field: "name", message: "must be valid Unicode (it holds a lone UTF-16 surrogate)" },
    ]);
    expect(await projectCount()).toBe(before);
    const created = await send("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: '{"name":"Launch \\ud83d\\ude80"}',
    }).then((r) => r.json());
    expect(created.name).toBe("Launch 🚀");
    const patched = await send("PATCH", `/api/v1/projects/${created.id}`, {
      headers: { "content-type": "application/json" },
      body: '{"description":"\\udc00"}',
    });
    expect((await expectProblem(patched, 422)).errors[0].field).toBe("description");
  });

  it.each(["POST", "PATCH"])(
    "refuses a %s body nested 2,000 levels deep (4 KB) with a 422 naming the limit",
    async (method) => {
      const deep = `${"[".repeat(2000)}${"]".repeat(2000)}`;
      const path =
        method === "POST" ? "/api/v1/projects" : `/api/v1/projects/${crypto.randomUUID()}`;
      const res = await send(method, path, {
        headers: { "content-type": "application/json" },
        body: `{"name":"x","description":${deep}}`,
      });
      expect((await expectProblem(res, 422)).errors).toEqual([
        { field: "body", message: "nests deeper than 32 levels" },
      ]);
    },
  );

  it("stores a signed webhook carrying NUL characters without them, instead of failing every retry", async () => {
    const id = `user_${unique("nul").replaceAll("-", "")}`;
    const res = await deliver(
      `${app.url}/api/webhooks/clerk`,
      userEvent("user.created", {
        id,
        email: `${unique("nul")}@example.com`,
        firstName: "Ada\u0000",
        lastName: "\u0000Lovelace",
        updatedAt: Date.now(),
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "processed" });
    const [row] = await database.sql`select first_name, last_name from users where id = ${id}`;
    expect(row).toEqual({ first_name: "Ada", last_name: "Lovelace" });
  });
});

describe("signed webhook payloads that cannot be stored as they came", () => {
  const organization = () => ({
    id: `org_${unique("poison").replaceAll("-", "")}`,
    name: "Poison",
    slug: unique("poison"),
    updatedAt: Date.now(),
  });
  const invitation = (fields: Partial<InvitationFields>): InvitationFields => ({
    id: `orginv_${unique("poison").replaceAll("-", "")}`,
    organization: organization(),
    email: `${unique("poison")}@example.com`,
    role: "org:member",
    inviterId: null,
    updatedAt: Date.now(),
    ...fields,
  });

  // Each answered 2xx, at the first delivery and at a redelivery alike: Svix never retries it.
  it.each([
    ["a NUL in an invitation's email", { email: "a\u0000b@example.com" }, "processed"],
    ["a NUL in an invitation's role", { role: "org:\u0000member" }, "processed"],
    ["a NUL in an invitation's inviter", { inviterId: "user_\u0000x" }, "processed"],
    ["a lone surrogate in an invitation's role", { role: "org:member\ud800" }, "processed"],
    ["a lone surrogate in an invitation's email", { email: "\udc00x@example.com" }, "processed"],
    ["an updated_at no date can hold (9e15)", { updatedAt: 9e15 }, "rejected"],
  ])("answers %s 200 and never asks for it again", async (_label, fields, outcome) => {
    const event = invitationEvent("organizationInvitation.created", invitation(fields));
    const svixId = `msg_${unique("poison").replaceAll("-", "")}`;
    for (let delivery = 0; delivery < 2; delivery++) {
      const res = await deliver(`${app.url}/api/webhooks/clerk`, event, { svixId });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.status).toBe(delivery === 0 || outcome === "rejected" ? outcome : "duplicate");
    }
    const [row] = await database.sql`
      select changes from audit_events where target_id = ${event.data.id as string}`;
    if (outcome === "rejected") {
      expect(row).toBeUndefined();
    } else {
      // What was stored holds neither NUL nor a lone surrogate.
      expect(JSON.stringify(row?.changes)).not.toMatch(/\\u0000|\\ud[89ab]|\\udc/i);
    }
  });
});

describe("cursors", () => {
  it.each([
    [
      "a position beyond Postgres' bigint",
      { l: "projects", t: "9223372036854775807", i: crypto.randomUUID() },
    ],
    [
      "a position past the year 9999",
      { l: "projects", t: "253402300800000000", i: crypto.randomUUID() },
    ],
    ["a negative position", { l: "projects", t: "-1", i: crypto.randomUUID() }],
  ])("answers 422 for %s", async (_label, position) => {
    const cursor = Buffer.from(JSON.stringify(position)).toString("base64url");
    const body = await expectProblem(await send("GET", `/api/v1/projects?cursor=${cursor}`), 422);
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(["cursor"]);
  });

  it("answers 422 for a member cursor carrying a NUL character", async () => {
    const cursor = Buffer.from(JSON.stringify({ m: "orgmem_\u0000" })).toString("base64url");
    const res = await send("GET", `/api/v1/members?cursor=${cursor}`);
    // The key lacks members:read: the scope is checked first, and that is a 403, not a 500.
    expect([403, 422]).toContain(res.status);
    await expectProblem(res, res.status);
  });
});

describe("paths and methods", () => {
  it.each(["/api/v1/nope", "/api/v1/projects/a/b", "/api/v2/projects", "/api"])(
    "answers %s with a 404 problem, not an HTML page",
    async (path) => {
      await expectProblem(await send("GET", path), 404);
      await expectProblem(await fetch(`${app.url}${path}`, { method: "POST" }), 404);
    },
  );

  it.each([
    "/orgs/acme.css",
    "/settings/account/x.css",
    "/settings/account/a.html",
    "/dashboard.js",
  ])(
    "serves the page path %s through the proxy like its page: sign in first, never a page without Clerk",
    async (path) => {
      const res = await fetch(`${app.url}${path}`, { redirect: "manual" });
      expect(res.status).toBe(307);
      expect(new URL(res.headers.get("location") ?? "", app.url).pathname).toBe("/sign-in");
      expect(res.headers.get("x-request-id")).toBeTruthy();
      // A server action posted there: refused or sent to sign in, never a 500.
      const action = await fetch(`${app.url}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: { "next-action": "0".repeat(42), "content-type": "text/plain" },
        body: "[]",
      });
      expect(action.status).toBeLessThan(500);
    },
  );

  it.each([
    ["an empty body", ""],
    ["a body that is not JSON", "[1,"],
    ["JSON nested 3,000 levels deep", `${"[".repeat(3000)}${"]".repeat(3000)}`],
  ])(
    "refuses a server action posted with %s 400, where Next's decoder threw a 500",
    async (_label, body) => {
      const token = (await mintSession(emulator.url, { user_id: owner, organization_id: org }))
        .token;
      // Clerk's own action, which every page has.
      const action = serverActionId(
        "node_modules/@clerk/nextjs/dist/esm/app-router/server-actions.js",
        "invalidateCacheAction",
      );
      const res = await fetch(`${app.url}/orgs/${orgSlug}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "next-action": action,
          accept: "text/x-component",
          origin: app.url,
          "content-type": "text/plain;charset=UTF-8",
        },
        body,
      });
      await expectProblem(res, 400);
    },
  );

  it("answers a signed-in user's organization page path ending in .css as the organization it names: not found", async () => {
    const token = (await mintSession(emulator.url, { user_id: owner, organization_id: org })).token;
    const res = await fetch(`${app.url}/orgs/${orgSlug}.css`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("refuses a path and query over 8 KiB with a 414 problem, before Next would redirect with it twice", async () => {
    const long = "x".repeat(5000);
    await expectProblem(await send("GET", `/api/v1/projects/?${long}=${long}`), 414);
  });

  it("answers a method an operation does not have with 405 and Allow", async () => {
    const me = await send("POST", "/api/v1/me");
    await expectProblem(me, 405);
    expect(me.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    const projects = await send("DELETE", "/api/v1/projects");
    await expectProblem(projects, 405);
    expect(projects.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });

  it("answers OPTIONS on an operation with its methods, with or without a credential", async () => {
    const path = `/api/v1/projects/${crypto.randomUUID()}`;
    for (const res of [
      await fetch(`${app.url}${path}`, { method: "OPTIONS" }),
      await send("OPTIONS", path),
    ]) {
      expect(res.status).toBe(204);
      expect(res.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
    }
  });

  it.each(["TRACE", "CONNECT"])(
    "answers %s, which a fetch Request cannot even hold, with a 405 problem",
    async (method) => {
      for (const path of ["/", "/api/v1/me"]) {
        const res = await rawRequest(method, path);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(JSON.parse(res.body)).toMatchObject({ status: 405 });
      }
    },
  );

  it("answers a path and query over 8,000 bytes with a 414 problem; a redirect of one at the limit is still readable", async () => {
    const path = "/api/v1/projects/?limit=";
    const over = await send("GET", `${path}${"x".repeat(8_001 - path.length)}`);
    await expectProblem(over, 414);
    expect(over.headers.get("x-request-id")).toBeTruthy();
    await expectProblem(await fetch(`${app.url}/${"x".repeat(9_000)}`), 414);
    // Next redirects the trailing slash away, with the URL in both Location and Refresh: at the
    // limit, that is still within the 16 KiB of headers Node's fetch reads.
    const atLimit = await send("GET", `${path}${"x".repeat(8_000 - path.length)}`, {
      redirect: "manual",
    });
    expect(atLimit.status).toBe(308);
    expect(atLimit.headers.get("location")).toMatch(/^\/api\/v1\/projects\?limit=x+$/);
  });

  it.each(["PUT", "DELETE", "PROPFIND"])("answers %s on a page with 405", async (method) => {
    const res = await fetch(`${app.url}/`, { method });
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
  });
});

describe("what the client names", () => {
  const appOrigin = () => new URL(app.url).origin;

  it.each([
    ["Host", { host: "evil.example" }],
    ["X-Forwarded-Host", { host: "localhost", "x-forwarded-host": "evil.example" }],
    ["Forwarded", { host: "localhost", forwarded: "host=evil.example;proto=https" }],
  ])(
    "builds the sign-in redirect from the app's origin, whatever %s says",
    async (_label, headers) => {
      const res = await rawRequest("GET", "/orgs/acme", headers);
      expect(res.status).toBe(307);
      const location = new URL(res.headers.location ?? "", app.url);
      expect(location.origin).toBe(appOrigin());
      expect(res.headers.location).not.toContain("evil.example");
    },
  );

  it("serves an absolute-form request line as its path: no redirect to the host it names", async () => {
    for (const target of ["http://evil.example/orgs/acme", "http://evil.example/settings/"]) {
      const res = await rawRequest("GET", target);
      expect(res.status, target).toBeLessThan(500);
      expect(res.headers.location ?? "", target).not.toContain("evil.example");
    }
  });

  it("never lets Next's internal x-middleware-* headers out", async () => {
    const answers = await Promise.all([
      send("GET", "/api/v1/me"),
      send("GET", "/api/v1/projects?limit=1"),
      fetch(`${app.url}/api/v1/me`),
      fetch(`${app.url}/`),
      fetch(`${app.url}/orgs/acme`, { redirect: "manual" }),
      fetch(`${app.url}/__clerk/v1/environment`),
    ]);
    for (const res of answers) {
      const internal = [...res.headers.keys()].filter((k) => k.startsWith("x-middleware-"));
      expect(internal, res.url).toEqual([]);
    }
  });
});

describe("bodies", () => {
  it("refuses a 10 MB body to the Frontend API proxy sent without a declared length with 413, without passing it on", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent >= 10 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${app.url}/__clerk/v1/client/sign_ins`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      // @ts-expect-error Node's fetch needs this for a streamed body.
      duplex: "half",
    });
    await expectProblem(res, 413);
  });

  it("refuses an API body declared over 16 KiB with 413 before looking at the credential", async () => {
    const res = await fetch(`${app.url}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer ak_unchecked" },
      body: JSON.stringify({ name: "x".repeat(20_000) }),
    });
    await expectProblem(res, 413);
  });

  it("refuses an API body streamed past 16 KiB without a declared length", async () => {
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"name":"${"x".repeat(40_000)}"}`));
        controller.close();
      },
    });
    const res = await send("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: chunks,
      // @ts-expect-error Node's fetch needs this for a streamed body.
      duplex: "half",
    });
    await expectProblem(res, 413);
  });

  it("refuses a webhook body over 1 MiB with 413 instead of reading it all", async () => {
    const res = await fetch(`${app.url}/api/webhooks/clerk`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses a page request (server action) declared over 1 MiB with 413", async () => {
    const res = await fetch(`${app.url}/`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    await expectProblem(res, 413);
  });
});

describe("the Frontend API proxy", () => {
  it.each([
    "/__clerk/__emulator",
    "/__clerk/__emulator/mailbox",
    "/__clerk/__emulator/webhooks",
    "/__clerk/v1%2f..%2f__emulator",
  ])("never reaches the emulator's own pages and helpers at %s", async (path) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Mailbox");
  });

  it("never reaches the Backend API, even with the instance's secret key", async () => {
    const secret = {
      authorization: `Bearer ${TEST_SECRET_KEY}`,
      "content-type": "application/json",
    };
    const users = await fetch(`${app.url}/__clerk/v1/users`, { headers: secret });
    expect(users.status).toBe(404);
    expect(await users.text()).not.toContain("email_address");
    const minted = await fetch(`${app.url}/__clerk/v1/api_keys`, {
      method: "POST",
      headers: secret,
      body: JSON.stringify({ name: "minted", subject: org, scopes: ["projects:write"] }),
    });
    expect(minted.status).toBe(401);
    expect(await minted.text()).not.toContain("ak_");
  });

  it("still forwards the Frontend API clerk-js uses", async () => {
    const res = await fetch(`${app.url}/__clerk/v1/environment`);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("auth_config");
  });
});
