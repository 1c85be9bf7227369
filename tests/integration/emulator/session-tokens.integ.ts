import { generateKeyPairSync } from "node:crypto";
import { verifyToken } from "@clerk/backend";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";

let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
let adminId: string;
let memberId: string;
let org: { id: string; slug: string };

beforeAll(async () => {
  emulator = await startEmulatorProcess({ env: { EMULATOR_SEED: "emulator/seed/dev.json" } });
  clerk = clerkFor(emulator.url);
  adminId = (await clerk.users.createUser({ emailAddress: [`${unique("admin")}@example.com`] })).id;
  memberId = (await clerk.users.createUser({ emailAddress: [`${unique("member")}@example.com`] }))
    .id;
  const created = await clerk.organizations.createOrganization({
    name: "Tokens",
    createdBy: adminId,
  });
  org = { id: created.id, slug: created.slug };
  await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: memberId,
    role: "org:member",
  });
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

// What @clerk/nextjs does for a request carrying a session token as a bearer.
async function authenticate(token: string) {
  const request = new Request("http://localhost:3000/api/v1/me", {
    headers: { authorization: `Bearer ${token}` },
  });
  const state = await clerk.authenticateRequest(request, { acceptsToken: "session_token" });
  const auth = state.toAuth();
  if (!auth) throw new Error(`no auth object: ${state.reason}`);
  return { state, auth };
}

const verify = (token: string) =>
  verifyToken(token, { secretKey: TEST_SECRET_KEY, apiUrl: emulator.url });

describe("session tokens", () => {
  it("are v2 RS256 JWTs the SDK verifies through the emulator's JWKS", async () => {
    const { token, session } = await mintSession(emulator.url, { user_id: adminId });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    const jwks = await clerk.jwks.getJwks();
    expect(jwks.keys?.map((k) => k.kid)).toContain(header.kid);

    const claims = await verify(token);
    expect(claims).toMatchObject({
      sub: adminId,
      sid: session.id,
      v: 2,
      iss: "https://emulator.clerk.accounts.dev",
      azp: "http://localhost:3000",
      sts: "active",
    });
    expect(claims.exp - claims.iat).toBe(60);
  });

  it("carry the active organization's id, role and permissions for an admin", async () => {
    const { token } = await mintSession(emulator.url, {
      user_id: adminId,
      organization_id: org.id,
    });
    const { state, auth } = await authenticate(token);
    expect(state.isAuthenticated).toBe(true);
    expect(auth).toMatchObject({
      tokenType: "session_token",
      userId: adminId,
      orgId: org.id,
      orgSlug: org.slug,
      orgRole: "org:admin",
    });
    if (auth.tokenType !== "session_token" || !auth.isAuthenticated) throw new Error("signed out");
    expect([...(auth.orgPermissions ?? [])].sort()).toEqual([
      "org:audit:read",
      "org:projects:manage",
      "org:projects:read",
    ]);
    expect(auth.has({ permission: "org:projects:manage" })).toBe(true);
    expect(auth.has({ role: "org:admin" })).toBe(true);
  });

  it("give a plain member read but not manage", async () => {
    const { token } = await mintSession(emulator.url, {
      user_id: memberId,
      organization_id: org.id,
    });
    const { auth } = await authenticate(token);
    if (auth.tokenType !== "session_token" || !auth.isAuthenticated) throw new Error("signed out");
    expect(auth.orgRole).toBe("org:member");
    expect(auth.orgPermissions).toEqual(["org:projects:read"]);
    expect(auth.has({ permission: "org:projects:read" })).toBe(true);
    expect(auth.has({ permission: "org:projects:manage" })).toBe(false);
  });

  it("agree with the permissions listed on the membership", async () => {
    for (const userId of [adminId, memberId]) {
      const { token } = await mintSession(emulator.url, {
        user_id: userId,
        organization_id: org.id,
      });
      const { auth } = await authenticate(token);
      if (auth.tokenType !== "session_token" || !auth.isAuthenticated)
        throw new Error("signed out");
      const memberships = await clerk.users.getOrganizationMembershipList({ userId });
      const custom =
        memberships.data[0]?.permissions.filter((p) => !p.startsWith("org:sys_")) ?? [];
      expect([...(auth.orgPermissions ?? [])].sort()).toEqual([...custom].sort());
    }
  });

  it("have no organization claims when no organization is active", async () => {
    const { token } = await mintSession(emulator.url, { user_id: memberId });
    const { auth } = await authenticate(token);
    expect(auth).toMatchObject({ userId: memberId, orgId: undefined });
    expect(decodeJwt(token).o).toBeUndefined();
  });

  it("are refused once expired", async () => {
    const { token } = await mintSession(emulator.url, { user_id: adminId, backdate_seconds: 120 });
    await expect(verify(token)).rejects.toMatchObject({ reason: "token-expired" });
    expect((await authenticate(token)).state.isAuthenticated).toBe(false);
  });

  it("are refused when tampered with", async () => {
    const { token } = await mintSession(emulator.url, {
      user_id: memberId,
      organization_id: org.id,
    });
    const [h, p, s] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    claims.o.rol = "admin";
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    await expect(verify(forged)).rejects.toMatchObject({ reason: "token-invalid-signature" });
    expect((await authenticate(forged)).state.isAuthenticated).toBe(false);
  });

  it("are refused when signed by another key under the emulator's kid", async () => {
    const { token } = await mintSession(emulator.url, { user_id: adminId });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const foreign = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({
        alg: "RS256",
        typ: "JWT",
        kid: decodeProtectedHeader(token).kid as string,
      })
      .sign(privateKey);
    await expect(verify(foreign)).rejects.toMatchObject({ reason: "token-invalid-signature" });
    expect((await authenticate(foreign)).state.isAuthenticated).toBe(false);
  });

  it("are refused for a session that has been revoked", async () => {
    const { session } = await mintSession(emulator.url, { user_id: adminId });
    const revoked = await clerk.sessions.revokeSession(session.id);
    expect(revoked.status).toBe("revoked");
    await expect(clerk.sessions.getToken(session.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("Backend API: sessions", () => {
  it("gets, lists and mints tokens for a session, including a JWT template", async () => {
    const { session } = await mintSession(emulator.url, {
      user_id: memberId,
      organization_id: org.id,
    });
    const fetched = await clerk.sessions.getSession(session.id);
    expect(fetched).toMatchObject({ id: session.id, userId: memberId, status: "active" });
    expect(fetched.lastActiveOrganizationId).toBe(org.id);

    const list = await clerk.sessions.getSessionList({ userId: memberId, status: "active" });
    expect(list.data.map((s) => s.id)).toContain(session.id);

    const token = await clerk.sessions.getToken(session.id);
    expect((await verify(token.jwt)).o).toMatchObject({ id: org.id, rol: "member" });

    const templated = await clerk.sessions.getToken(session.id, "integration");
    const claims = decodeJwt(templated.jwt);
    expect(claims).toMatchObject({ aud: "integration-tests", sub: memberId, sid: session.id });
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);

    await expect(clerk.sessions.getToken(session.id, "no-such-template")).rejects.toMatchObject({
      status: 404,
    });
  });

  it("issues a testing token for @clerk/testing's clerkSetup", async () => {
    // The SDK has no deserializer for testing tokens: it hands back the JSON as sent.
    const testing = (await clerk.testingTokens.createTestingToken()) as unknown as {
      object: string;
      token: string;
      expires_at: number;
    };
    expect(testing.object).toBe("testing_token");
    expect(testing.token).toBeTruthy();
    expect(testing.expires_at).toBeGreaterThan(Date.now() / 1000);
  });
});
