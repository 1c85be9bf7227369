import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import {
  clerkFor,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// What every answer carries: security headers (a nonce CSP on pages), the request id (kept from a
// well-formed incoming one), and on the server one structured log line per API request that names
// the principal and never its secret.

let emulator: EmulatorProcess;
let app: AppProcess;
let key: string;
let keyId: string;
let token: string;
let userId: string;
let org: string;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  const clerk = clerkFor(emulator.url);
  app = await startApp({ emulator: emulator, databaseUrl: inject("databaseUrl") });
  const user = await clerk.users.createUser({ emailAddress: [`${unique("hdr")}@example.com`] });
  userId = user.id;
  org = (await clerk.organizations.createOrganization({ name: unique("Hdr"), createdBy: user.id }))
    .id;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, org, "team");
  const created = await clerk.apiKeys.create({
    name: unique("hdr"),
    subject: org,
    scopes: ["projects:read"],
  });
  key = created.secret ?? "";
  keyId = created.id;
  token = (await mintSession(emulator.url, { user_id: user.id, organization_id: org })).token;
});
afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

const COMMON = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "cross-origin-opener-policy": "same-origin",
};

function expectCommonHeaders(res: Response) {
  for (const [name, value] of Object.entries(COMMON)) {
    expect(res.headers.get(name), `${res.url} ${name}`).toBe(value);
  }
  expect(res.headers.get("permissions-policy")).toContain("camera=()");
  // The build is a production one: browsers must keep to HTTPS once they have seen it.
  expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
  expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
}

describe("security headers", () => {
  it("gives a page a strict CSP whose nonce is on every script of that page", async () => {
    const res = await fetch(`${app.url}/`);
    expectCommonHeaders(res);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("object-src 'none'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A new nonce per request.
    const again = (await fetch(`${app.url}/`)).headers.get("content-security-policy");
    expect(again).not.toContain(nonce as string);
  });

  it("protects API answers, problems included, and keeps them out of caches", async () => {
    for (const res of [
      await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } }),
      await fetch(`${app.url}/api/v1/me`),
      await fetch(`${app.url}/api/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: "{}",
      }),
    ]) {
      expectCommonHeaders(res);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("protects what the proxy does not run for: the health check and static files", async () => {
    const health = await fetch(`${app.url}/api/health`);
    expectCommonHeaders(health);
    const html = await fetch(`${app.url}/`).then((r) => r.text());
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const file = await fetch(`${app.url}${asset}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    // One policy, not the page's and the static one stacked.
    expect(file.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none';",
    );
  });
});

describe("Clerk's Frontend API through the proxy", () => {
  it("keeps the policy of a page the Frontend API serves, and holds its JSON to default-src 'none'", async () => {
    // The emulator's OAuth server answers a malformed authorize request with an HTML page.
    const page = await fetch(`${app.url}/__clerk/oauth/authorize?response_type=nonsense`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("style-src 'unsafe-inline'");
    expect(policy).not.toContain("script-src");
    expectCommonHeaders(page);
    const json = await fetch(`${app.url}/__clerk/v1/environment`);
    expect(json.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("request ids", () => {
  it("answers with a request id of the server's own, quotes it as the problem's instance, and logs a client's well-formed one beside it", async () => {
    const fresh = await fetch(`${app.url}/api/v1/me`);
    const id = fresh.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fresh.json()).instance).toBe(id);

    const traced = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${key}`, "x-request-id": "lb-trace-0001" },
    });
    const tracedId = traced.headers.get("x-request-id");
    expect(tracedId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 300));
    const logged = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .filter((l) => l.request_id === tracedId);
    expect(logged).toEqual([expect.objectContaining({ client_request_id: "lb-trace-0001" })]);

    const forged = await fetch(`${app.url}/api/v1/me`, {
      headers: { "x-request-id": 'x"}, {"admin":true' },
    });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("request logs", () => {
  it("writes one JSON line per API request with its id, route, status, duration and principal, and never a secret", async () => {
    const byKey = await fetch(`${app.url}/api/v1/projects`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const bySession = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const refused = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: "Bearer ak_wrong_secret_123" },
    });
    // Log lines are written as the answer goes out; give the pipe a moment.
    await new Promise((r) => setTimeout(r, 300));
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    const lineOf = (res: Response) =>
      lines.filter((l) => l.request_id === res.headers.get("x-request-id"));

    expect(lineOf(byKey)).toEqual([
      expect.objectContaining({
        route: "/api/v1/projects",
        method: "GET",
        status: 200,
        duration_ms: expect.any(Number),
        token_type: "api_key",
        key_id: keyId,
        org_id: org,
      }),
    ]);
    expect(lineOf(bySession)).toEqual([
      expect.objectContaining({
        route: "/api/v1/me",
        status: 200,
        token_type: "session_token",
        user_id: userId,
        org_id: org,
      }),
    ]);
    expect(lineOf(refused)).toEqual([expect.objectContaining({ status: 401 })]);

    const output = app.output();
    for (const secret of [key, token, "ak_wrong_secret_123"]) {
      expect(output).not.toContain(secret);
    }
  });
});
