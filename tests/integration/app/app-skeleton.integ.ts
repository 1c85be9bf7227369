import { beforeAll, describe, expect, it } from "vitest";
import { appStack } from "../../support/app-stack";
import {
  emulatorRequest,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";

const { app, emulator, clerk } = appStack();
let userId: string;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };

beforeAll(async () => {
  userId = (await clerk.users.createUser({ emailAddress: [`${unique("app")}@example.com`] })).id;
  const a = await clerk.organizations.createOrganization({ name: "Org A", createdBy: userId });
  const b = await clerk.organizations.createOrganization({ name: "Org B", createdBy: userId });
  orgA = { id: a.id, slug: a.slug };
  orgB = { id: b.id, slug: b.slug };
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  for (const id of [a.id, b.id]) await subscribeOrganization(emulator.url, id, "team");
});
// A browser that has visited before holds a dev-browser cookie; without one a development
// instance first sends it through Clerk's handshake.
const browserHeaders = { accept: "text/html", cookie: "__clerk_db_jwt=dvb_test_browser" };

async function sessionToken(organizationId?: string) {
  return (
    await mintSession(emulator.url, { user_id: userId, organization_id: organizationId ?? null })
  ).token;
}

describe("app skeleton", () => {
  it("redirects a signed-out request for a dashboard page to the app's sign-in page", async () => {
    const res = await fetch(`${app.url}/orgs/${orgA.slug}`, {
      headers: browserHeaders,
      redirect: "manual",
    });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get("location") ?? "", app.url);
    expect(location.origin + location.pathname).toBe(`${app.url}/sign-in`);
    expect(location.searchParams.get("redirect_url")).toBe(`${app.url}/orgs/${orgA.slug}`);
  });

  it("serves the landing page to everyone", async () => {
    const res = await fetch(app.url, { headers: browserHeaders });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Projects for teams");
  });

  it("answers /api/v1/me without a token with a 401 problem", async () => {
    const res = await fetch(`${app.url}/api/v1/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      type: "/problems/unauthenticated",
      title: "Unauthenticated",
      status: 401,
      detail: expect.any(String),
    });
  });

  it("answers /api/v1/me with the user, organization and permissions of a session token", async () => {
    const res = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${await sessionToken(orgA.id)}` },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      token_type: "session_token",
      user_id: userId,
      org_id: orgA.id,
      org_slug: orgA.slug,
      org_role: "org:admin",
      tenant_id: orgA.id,
    });
    expect([...body.permissions].sort()).toEqual([
      "org:audit:read",
      "org:projects:manage",
      "org:projects:read",
    ]);
  });

  it("answers /api/v1/me for an API key with its subject and scopes", async () => {
    const key = await clerk.apiKeys.create({
      name: "me-key",
      subject: orgB.id,
      scopes: ["projects:read"],
    });
    const res = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      token_type: "api_key",
      api_key: { id: key.id, name: "me-key" },
      org_id: orgB.id,
      user_id: null,
      tenant_id: orgB.id,
      scopes: ["projects:read"],
    });
  });

  it("serves an organization's dashboard to a session active in it", async () => {
    const res = await fetch(`${app.url}/orgs/${orgB.slug}`, {
      headers: { authorization: `Bearer ${await sessionToken(orgB.id)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("No projects yet");
  });

  it("does not serve org A's dashboard to a session active in org B", async () => {
    const res = await fetch(`${app.url}/orgs/${orgA.slug}`, {
      headers: { authorization: `Bearer ${await sessionToken(orgB.id)}` },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Projects</h1>");
  });

  it("refuses an API key on a route that never accepts one, without asking Clerk to verify it", async () => {
    const key = await clerk.apiKeys.create({ name: "wrong-route", subject: orgA.id });
    for (const path of [
      "/api/v1/openapi.json",
      "/docs/api",
      `/orgs/${orgA.slug}`,
      `/orgs/${orgA.slug}/settings/api-keys`,
      "/settings/api-keys",
      "/",
    ]) {
      const res = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${key.secret}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    // The health check needs no credential and never runs Clerk: a key sent to it is ignored.
    const health = await fetch(`${app.url}/api/health`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(health.status).toBe(200);
    // Clerk's verify records each use; the key was never verified.
    const after = await emulatorRequest(emulator.url, "GET", `/api_keys/${key.id}`);
    expect(after.body.last_used_at).toBeNull();
  });

  it("refuses an M2M token on pages without asking Clerk to verify it", async () => {
    const machine = await clerk.machines.create({ name: unique("pages") });
    const token = await clerk.m2m.createToken({ machineSecretKey: machine.secretKey });
    for (const path of ["/", `/orgs/${orgA.slug}`, "/docs/api"]) {
      const res = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${token.token}` },
      });
      expect(res.status, path).toBe(401);
    }
    const [listed] = (await clerk.m2m.list({ subject: machine.id })).data;
    expect(listed?.id).toBe(token.id);
    expect(
      (await emulatorRequest(emulator.url, "GET", `/m2m_tokens?subject=${machine.id}`)).body
        .m2m_tokens[0].last_used_at,
    ).toBeNull();
  });

  // This app runs without CLERK_MACHINE_SECRET_KEY: no machine can be checked for a scope to it.
  it("answers the machine route 503 when the app has no Clerk machine of its own", async () => {
    const machine = await clerk.machines.create({ name: unique("caller") });
    const token = await clerk.m2m.createToken({ machineSecretKey: machine.secretKey });
    const res = await fetch(`${app.url}/api/internal/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await res.json()).detail).toContain("CLERK_MACHINE_SECRET_KEY is not set");
  });

  it("reports healthy while the database answers", async () => {
    const res = await fetch(`${app.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
