import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
let userId: string;
let orgId: string;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
  const user = await clerk.users.createUser({ emailAddress: [`${unique("keys")}@example.com`] });
  userId = user.id;
  orgId = (await clerk.organizations.createOrganization({ name: "Keys Inc", createdBy: userId }))
    .id;
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

// What @clerk/nextjs does for a route handler called with `Authorization: Bearer ak_...`.
async function authenticate(secret: string) {
  const request = new Request("http://localhost:3000/api/v1/projects", {
    headers: { authorization: `Bearer ${secret}` },
  });
  const state = await clerk.authenticateRequest(request, { acceptsToken: "api_key" });
  return { state, auth: state.toAuth() };
}

describe("Backend API: API keys", () => {
  it("creates a scoped organization key whose secret verifies to its subject, scopes and claims", async () => {
    const key = await clerk.apiKeys.create({
      name: "ci-deploy",
      subject: orgId,
      scopes: ["projects:read", "projects:write"],
      claims: { env: "ci" },
      description: "Deploys from CI",
      createdBy: userId,
    });
    expect(key.id).toMatch(/^ak_[0-9a-f]{32}$/);
    expect(key.secret).toMatch(/^ak_/);

    const verified = await clerk.apiKeys.verify(key.secret as string);
    expect(verified).toMatchObject({
      id: key.id,
      subject: orgId,
      scopes: ["projects:read", "projects:write"],
      claims: { env: "ci" },
      revoked: false,
      expired: false,
    });
    expect(verified.lastUsedAt).not.toBeNull();

    const { state, auth } = await authenticate(key.secret as string);
    expect(state.isAuthenticated).toBe(true);
    expect(auth).toMatchObject({
      tokenType: "api_key",
      id: key.id,
      subject: orgId,
      orgId,
      userId: null,
      scopes: ["projects:read", "projects:write"],
      claims: { env: "ci" },
    });
  });

  it("creates a user key that authenticates as that user", async () => {
    const key = await clerk.apiKeys.create({
      name: "laptop",
      subject: userId,
      scopes: ["projects:read"],
    });
    const { auth } = await authenticate(key.secret as string);
    expect(auth).toMatchObject({
      tokenType: "api_key",
      userId,
      orgId: null,
      scopes: ["projects:read"],
    });
  });

  it("shows the secret once: get and list never return it", async () => {
    const key = await clerk.apiKeys.create({ name: "once", subject: userId });
    const fetched = await clerk.apiKeys.get(key.id);
    expect(fetched.name).toBe("once");
    expect(fetched.secret).toBeUndefined();
    const list = await clerk.apiKeys.list({ subject: userId });
    expect(list.data.find((k) => k.id === key.id)?.secret).toBeUndefined();
  });

  it("lists keys by subject and hides revoked ones unless asked", async () => {
    const subject = (await clerk.organizations.createOrganization({ name: "List Keys" })).id;
    const a = await clerk.apiKeys.create({ name: "key-a", subject });
    const b = await clerk.apiKeys.create({ name: "key-b", subject });
    await clerk.apiKeys.revoke({ apiKeyId: a.id, revocationReason: "rotated" });

    const valid = await clerk.apiKeys.list({ subject });
    expect(valid.data.map((k) => k.id)).toEqual([b.id]);
    const all = await clerk.apiKeys.list({ subject, includeInvalid: true });
    expect(all.totalCount).toBe(2);
    expect(all.data.find((k) => k.id === a.id)).toMatchObject({
      revoked: true,
      revocationReason: "rotated",
    });
  });

  it("updates scopes and description", async () => {
    const key = await clerk.apiKeys.create({
      name: "narrow",
      subject: orgId,
      scopes: ["projects:read"],
    });
    const updated = await clerk.apiKeys.update({
      apiKeyId: key.id,
      subject: orgId,
      scopes: ["members:read"],
      description: "now reads members",
    });
    expect(updated.scopes).toEqual(["members:read"]);
    expect(updated.description).toBe("now reads members");
    expect((await clerk.apiKeys.verify(key.secret as string)).scopes).toEqual(["members:read"]);
  });

  it("refuses a revoked key: verify is a 404 and authenticateRequest signs out", async () => {
    const key = await clerk.apiKeys.create({ name: "revoke-me", subject: orgId });
    await clerk.apiKeys.revoke({ apiKeyId: key.id, revocationReason: "leaked" });
    await expect(clerk.apiKeys.verify(key.secret as string)).rejects.toMatchObject({ status: 404 });
    const { state, auth } = await authenticate(key.secret as string);
    expect(state.isAuthenticated).toBe(false);
    expect(auth).toMatchObject({ tokenType: "api_key", isAuthenticated: false, id: null });
  });

  it("refuses an expired key", async () => {
    const key = await clerk.apiKeys.create({
      name: "short-lived",
      subject: orgId,
      secondsUntilExpiration: 1,
    });
    expect(key.expiration).toBeGreaterThan(Date.now());
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(clerk.apiKeys.verify(key.secret as string)).rejects.toMatchObject({ status: 404 });
    expect((await authenticate(key.secret as string)).state.isAuthenticated).toBe(false);
    expect((await clerk.apiKeys.get(key.id)).expired).toBe(true);
  });

  it("refuses an unknown secret", async () => {
    await expect(
      clerk.apiKeys.verify("ak_this_secret_was_never_issued_000000"),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(
      (await authenticate("ak_this_secret_was_never_issued_000000")).state.isAuthenticated,
    ).toBe(false);
  });

  it("deletes a key, after which get is a 404", async () => {
    const key = await clerk.apiKeys.create({ name: "delete-me", subject: userId });
    await clerk.apiKeys.delete(key.id);
    await expect(clerk.apiKeys.get(key.id)).rejects.toMatchObject({ status: 404 });
  });

  it("rejects a subject that is not a user or organization of this instance", async () => {
    await expect(
      clerk.apiKeys.create({ name: "orphan", subject: `org_${"0".repeat(27)}` }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("serves the versioned path too, and collapses the proxy's double slash", async () => {
    const key = await clerk.apiKeys.create({ name: "paths", subject: orgId });
    for (const path of ["/v1/api_keys/verify", "//api_keys/verify"]) {
      const res = await fetch(`${emulator.url}${path}`, {
        method: "POST",
        headers: {
          authorization: "Bearer sk_test_integration_secret_key",
          "content-type": "application/json",
        },
        body: JSON.stringify({ secret: key.secret }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(key.id);
    }
  });

  it("counts each Backend API call by route at /__emulator/stats: one verification per key request", async () => {
    const key = await clerk.apiKeys.create({ name: "counted", subject: orgId });
    expect((await emulatorRequest(emulator.url, "DELETE", "/__emulator/stats")).status).toBe(204);
    await authenticate(key.secret as string);
    await authenticate(key.secret as string);
    await clerk.apiKeys.get(key.id);

    const stats = await emulatorRequest(emulator.url, "GET", "/__emulator/stats");
    expect(stats.body.cpu_ms).toBeGreaterThan(0);
    expect(stats.body).toMatchObject({
      total: 3,
      routes: [
        { method: "POST", route: "/api_keys/verify", count: 2 },
        { method: "GET", route: "/api_keys/:id", count: 1 },
      ],
    });
    // Like the other helpers, only for the holder of the secret key.
    expect((await fetch(`${emulator.url}/__emulator/stats`)).status).toBe(401);
    await emulatorRequest(emulator.url, "DELETE", "/__emulator/stats");
    expect((await emulatorRequest(emulator.url, "GET", "/__emulator/stats")).body.total).toBe(0);
  });
});
