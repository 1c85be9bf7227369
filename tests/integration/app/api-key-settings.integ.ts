import { beforeAll, describe, expect, it } from "vitest";
import type { CreateKeyState } from "../../../src/api-keys/actions";
import { appStack } from "../../support/app-stack";
import { mintSession, subscribeOrganization, unique } from "../../support/emulator-client";
import { callServerAction, serverActionId } from "../../support/server-action";

// The API-key settings pages (server-rendered for a session token, as the browser would get them)
// and their server actions (called over HTTP with React's own action client). The browser flow
// (sign in, click, copy) is the end-to-end suite's.

const { app, emulator, clerk } = appStack();
let alice: string; // admin of org A
let bob: string; // member of org A
let carol: string; // admin of org B
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };

const ACTIONS = "src/api-keys/actions.ts";
type RevokeResult = { ok: boolean; message: string };

beforeAll(async () => {
  const user = async (name: string) =>
    (await clerk.users.createUser({ emailAddress: [`${unique(name)}@example.com`] })).id;
  alice = await user("alice");
  bob = await user("bob");
  carol = await user("carol");
  const a = await clerk.organizations.createOrganization({ name: "Org A", createdBy: alice });
  const b = await clerk.organizations.createOrganization({ name: "Org B", createdBy: carol });
  orgA = { id: a.id, slug: a.slug };
  orgB = { id: b.id, slug: b.slug };
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  for (const id of [a.id, b.id]) await subscribeOrganization(emulator.url, id, "team");
  await clerk.organizations.createOrganizationMembership({
    organizationId: orgA.id,
    userId: bob,
    role: "org:member",
  });
});

async function session(userId: string, organizationId: string | null) {
  return (await mintSession(emulator.url, { user_id: userId, organization_id: organizationId }))
    .token;
}

async function page(path: string, token: string) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, html: await res.text() };
}

function keyForm(fields: { name: string; scopes: string[]; expiry: string; description?: string }) {
  const form = new FormData();
  form.append("name", fields.name);
  for (const scope of fields.scopes) form.append("scopes", scope);
  form.append("expiry", fields.expiry);
  form.append("description", fields.description ?? "");
  return form;
}

const orgTarget = (slug: string) => ({ kind: "organization", slug });
const PERSONAL = { kind: "personal" };

async function createKey(token: string, target: object, form: FormData, from: string) {
  return callServerAction<CreateKeyState>({
    appUrl: app.url,
    page: from,
    actionId: serverActionId(ACTIONS, "createApiKeyAction"),
    args: [target, { status: "idle" }, form],
    token,
  });
}

async function revokeKey(token: string, target: object, keyId: string, from: string) {
  return callServerAction<RevokeResult>({
    appUrl: app.url,
    page: from,
    actionId: serverActionId(ACTIONS, "revokeApiKeyAction"),
    args: [target, keyId],
    token,
  });
}

async function apiStatus(secret: string, method = "GET", body?: unknown) {
  const res = await fetch(`${app.url}/api/v1/projects`, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status;
}

describe("API key settings pages", () => {
  it("serves /settings/api-keys itself, listing only the user's keys", async () => {
    const mine = unique("alice-personal");
    const theirs = unique("org-a-key");
    const gone = unique("alice-revoked");
    await clerk.apiKeys.create({ name: mine, subject: alice, scopes: ["projects:read"] });
    await clerk.apiKeys.create({ name: theirs, subject: orgA.id, scopes: ["projects:read"] });
    const revoked = await clerk.apiKeys.create({ name: gone, subject: alice });
    await clerk.apiKeys.revoke({ apiKeyId: revoked.id });

    const { status, html } = await page("/settings/api-keys", await session(alice, orgA.id));
    expect(status).toBe(200);
    expect(html).toContain("Personal API keys</h1>");
    expect(html).toContain("New API key");
    expect(html).toContain(mine);
    expect(html).not.toContain(theirs);
    expect(html).not.toContain(gone);
  });

  it("states the no-scopes policy next to the form", async () => {
    const { html } = await page("/settings/api-keys", await session(alice, null));
    expect(html).toMatch(/A key without scopes[^<]*can do nothing but identify itself/);
  });

  it("serves <UserProfile/> for every path under /settings/account, and sends /settings there", async () => {
    const { status, html } = await page("/settings/account/security", await session(alice, null));
    expect(status).toBe(200);
    expect(html).not.toContain("New API key");
    expect(html).toContain("<title>Settings · Acme Projects</title>");
    const res = await fetch(`${app.url}/settings`, {
      headers: { authorization: `Bearer ${await session(alice, null)}` },
      redirect: "manual",
    });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toMatch(/\/settings\/account$/);
  });

  it("shows an organization's admin its keys with scopes, creation, last use and expiry", async () => {
    const name = unique("ci-read");
    const key = await clerk.apiKeys.create({
      name,
      subject: orgA.id,
      scopes: ["projects:read", "members:read"],
      secondsUntilExpiration: 7 * 86_400,
      description: "Nightly report",
    });
    const { status, html } = await page(
      `/orgs/${orgA.slug}/settings/api-keys`,
      await session(alice, orgA.id),
    );
    expect(status).toBe(200);
    expect(html).toContain("Organization API keys</h1>");
    const start = html.indexOf(name);
    const row = html.slice(start, html.indexOf("</tr>", start));
    expect(row).toContain("Nightly report");
    expect(row).toContain("projects:read");
    expect(row).toContain("members:read");
    expect(row).toContain("Never"); // not used yet
    const expires = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
    expect(row).toContain(expires.format(key.expiration ?? 0));
    expect(row).toContain(`Revoke ${name}`);
  });

  it("tells a member without org:sys_api_keys:manage, in words, that only admins manage keys, lists none, and links none", async () => {
    const name = unique("hidden-from-members");
    await clerk.apiKeys.create({ name, subject: orgA.id, scopes: ["projects:read"] });
    const { status, html } = await page(
      `/orgs/${orgA.slug}/settings/api-keys`,
      await session(bob, orgA.id),
    );
    expect(status).toBe(200);
    expect(html).toContain("Only admins can manage this organization&#x27;s API keys.");
    expect(html).not.toContain("org:sys_api_keys:manage");
    expect(html).not.toContain(name);
    expect(html).not.toContain("New API key");
    // The header links the page only for roles that manage keys.
    expect(html).not.toContain(`href="/orgs/${orgA.slug}/settings/api-keys"`);
    const admin = await page(`/orgs/${orgA.slug}`, await session(alice, orgA.id));
    expect(admin.html).toContain(`href="/orgs/${orgA.slug}/settings/api-keys"`);
  });

  it("answers 404 for the key settings of an organization that is not the active one", async () => {
    const name = unique("org-a-secret-name");
    await clerk.apiKeys.create({ name, subject: orgA.id });
    const { status, html } = await page(
      `/orgs/${orgA.slug}/settings/api-keys`,
      await session(carol, orgB.id),
    );
    expect(status).toBe(404);
    expect(html).not.toContain(name);
  });

  it("links the organization's key settings and the API reference from the header", async () => {
    const { html } = await page(`/orgs/${orgA.slug}`, await session(alice, orgA.id));
    expect(html).toContain(`href="/orgs/${orgA.slug}/settings/api-keys"`);
    expect(html).toContain('href="/docs/api"');
  });
});

describe("creating keys in settings", () => {
  it("creates an organization key with the chosen scopes, expiry and description, and returns its secret once", async () => {
    const token = await session(alice, orgA.id);
    const name = unique("deploy");
    const result = await createKey(
      token,
      orgTarget(orgA.slug),
      keyForm({ name, scopes: ["projects:read"], expiry: "7d", description: "CI" }),
      `/orgs/${orgA.slug}/settings/api-keys`,
    );
    expect(result.status).toBe("created");
    if (result.status !== "created") return;
    expect(result.key.secret).toMatch(/^ak_/);

    const key = await clerk.apiKeys.get(result.key.id);
    expect(key).toMatchObject({
      name,
      subject: orgA.id,
      scopes: ["projects:read"],
      description: "CI",
      createdBy: alice,
    });
    expect((key.expiration ?? 0) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    // The secret works at once, for exactly its scopes.
    expect(await apiStatus(result.key.secret)).toBe(200);
    expect(await apiStatus(result.key.secret, "POST", { name: "nope" })).toBe(403);
  });

  it("creates a personal key whose subject is the signed-in user", async () => {
    const result = await createKey(
      await session(alice, orgA.id),
      PERSONAL,
      keyForm({ name: unique("mine"), scopes: ["projects:write"], expiry: "never" }),
      "/settings/api-keys",
    );
    expect(result.status).toBe("created");
    if (result.status !== "created") return;
    const key = await clerk.apiKeys.get(result.key.id);
    expect(key).toMatchObject({ subject: alice, expiration: null });
  });

  it("creates nothing and names each invalid field when the form is invalid", async () => {
    const before = (await clerk.apiKeys.list({ subject: orgA.id })).totalCount;
    const result = await createKey(
      await session(alice, orgA.id),
      orgTarget(orgA.slug),
      keyForm({ name: "x", scopes: [], expiry: "forever" }),
      `/orgs/${orgA.slug}/settings/api-keys`,
    );
    expect(result).toMatchObject({
      status: "error",
      fieldErrors: {
        name: expect.any(String),
        scopes: expect.stringContaining("at least one scope"),
        expiry: expect.any(String),
      },
      values: { name: "x" },
    });
    expect((await clerk.apiKeys.list({ subject: orgA.id })).totalCount).toBe(before);
  });

  it("creates no organization key for a member without the manage permission", async () => {
    const before = (await clerk.apiKeys.list({ subject: orgA.id })).totalCount;
    const result = await createKey(
      await session(bob, orgA.id),
      orgTarget(orgA.slug),
      keyForm({ name: unique("sneaky"), scopes: ["projects:write"], expiry: "1d" }),
      `/orgs/${orgA.slug}/settings/api-keys`,
    );
    expect(result).toMatchObject({ status: "error", message: expect.stringContaining("admin") });
    expect((await clerk.apiKeys.list({ subject: orgA.id })).totalCount).toBe(before);
  });
});

describe("revoking keys in settings", () => {
  const from = () => `/orgs/${orgA.slug}/settings/api-keys`;

  it("revokes an organization key, which the API refuses from then on", async () => {
    const key = await clerk.apiKeys.create({
      name: unique("to-revoke"),
      subject: orgA.id,
      scopes: ["projects:read"],
    });
    expect(await apiStatus(key.secret ?? "")).toBe(200);
    const result = await revokeKey(
      await session(alice, orgA.id),
      orgTarget(orgA.slug),
      key.id,
      from(),
    );
    expect(result.ok).toBe(true);
    expect((await clerk.apiKeys.get(key.id)).revoked).toBe(true);
    expect(await apiStatus(key.secret ?? "")).toBe(401);
  });

  it("does not revoke another organization's key, answering as for an unknown one", async () => {
    const other = await clerk.apiKeys.create({
      name: unique("org-b"),
      subject: orgB.id,
      scopes: ["projects:read"],
    });
    const token = await session(alice, orgA.id);
    const result = await revokeKey(token, orgTarget(orgA.slug), other.id, from());
    const unknown = await revokeKey(token, orgTarget(orgA.slug), `ak_${"0".repeat(32)}`, from());
    expect(result).toEqual(unknown);
    expect(result.ok).toBe(false);
    expect((await clerk.apiKeys.get(other.id)).revoked).toBe(false);
    expect(await apiStatus(other.secret ?? "")).toBe(200);
  });

  it("does not revoke an organization's key through the personal settings", async () => {
    const key = await clerk.apiKeys.create({ name: unique("org-a"), subject: orgA.id });
    const result = await revokeKey(
      await session(alice, orgA.id),
      PERSONAL,
      key.id,
      "/settings/api-keys",
    );
    expect(result.ok).toBe(false);
    expect((await clerk.apiKeys.get(key.id)).revoked).toBe(false);
  });

  it("does not let a member revoke the organization's keys", async () => {
    const key = await clerk.apiKeys.create({ name: unique("kept"), subject: orgA.id });
    const result = await revokeKey(
      await session(bob, orgA.id),
      orgTarget(orgA.slug),
      key.id,
      from(),
    );
    expect(result.ok).toBe(false);
    expect((await clerk.apiKeys.get(key.id)).revoked).toBe(false);
  });
});
