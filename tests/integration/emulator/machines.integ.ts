import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { verifyMachineAuthToken } from "@clerk/backend/internal";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";

// Machines and M2M tokens, driven through the real @clerk/backend (`machines.*`, `m2m.*`,
// `authenticateRequest`); every answer is held to Clerk's Backend API spec by the contract setup.

let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
let jwtKey: string;

// An "app" machine that others call, a "job" scoped to it, and a "stranger" scoped to nothing.
type Machine = { id: string; secret: string };
let app: Machine;
let job: Machine;
let stranger: Machine;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
  jwtKey = await publicKeyPem();
  app = await machine("app");
  job = await machine("job", [app.id]);
  stranger = await machine("stranger");
});

afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

async function machine(name: string, scopedMachines: string[] = []): Promise<Machine> {
  const created = await clerk.machines.create({ name: unique(name), scopedMachines });
  if (!created.secretKey) throw new Error("create returned no secret key");
  return { id: created.id, secret: created.secretKey };
}

// The instance's public key as a PEM, what CLERK_JWT_KEY holds.
async function publicKeyPem(): Promise<string> {
  const { createPublicKey } = await import("node:crypto");
  const { keys } = await clerk.jwks.getJwks();
  const jwk = keys?.[0];
  if (!jwk) throw new Error("the JWKS has no key");
  return createPublicKey({ key: { ...jwk } as never, format: "jwk" })
    .export({ type: "spki", format: "pem" })
    .toString();
}

async function backendCalls(): Promise<number> {
  return (await emulatorRequest(emulator.url, "GET", "/__emulator/stats")).body.total;
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (err) {
    if (isClerkAPIResponseError(err)) {
      return { status: err.status, code: err.errors[0]?.code ?? "" };
    }
    throw err;
  }
  throw new Error("expected the call to fail");
}

// What @clerk/nextjs does for a handler called with `Authorization: Bearer <token>`, verifying
// with a machine's secret key (CLERK_MACHINE_SECRET_KEY) and, for JWTs, the instance's PEM key.
async function authenticate(token: string, machineSecretKey: string) {
  const client = createClerkClient({
    secretKey: TEST_SECRET_KEY,
    apiUrl: emulator.url,
    machineSecretKey,
    jwtKey,
  });
  const request = new Request("http://localhost:3000/api/internal/reconcile", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  const state = await client.authenticateRequest(request, { acceptsToken: "m2m_token" });
  return { state, auth: state.toAuth() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Backend API: machines", () => {
  it("creates a machine with its scopes, secret key and default token lifetime, and reads it back", async () => {
    const created = await clerk.machines.create({
      name: "Nightly export",
      scopedMachines: [app.id],
      defaultTokenTtl: 600,
    });
    expect(created.id).toMatch(/^mch_\w{27}$/);
    expect(created.secretKey).toMatch(/^ak_\w+$/);
    expect(created.defaultTokenTtl).toBe(600);
    expect(created.scopedMachines.map((m) => m.id)).toEqual([app.id]);

    const read = await clerk.machines.get(created.id);
    expect(read).toMatchObject({ id: created.id, name: "Nightly export", defaultTokenTtl: 600 });
    expect(read.secretKey).toBeUndefined();
    expect((await clerk.machines.getSecretKey(created.id)).secret).toBe(created.secretKey);

    const updated = await clerk.machines.update({
      machineId: created.id,
      name: "Nightly export v2",
      defaultTokenTtl: 60,
    });
    expect(updated).toMatchObject({ name: "Nightly export v2", defaultTokenTtl: 60 });
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);
  });

  it("lists machines newest first, by name, filtered by a query, in pages", async () => {
    const prefix = unique("listed");
    for (const n of ["b", "a", "c"]) await clerk.machines.create({ name: `${prefix}-${n}` });
    const newest = await clerk.machines.list({ query: prefix });
    expect(newest.totalCount).toBe(3);
    expect(newest.data.map((m) => m.name)).toEqual(["c", "a", "b"].map((n) => `${prefix}-${n}`));
    const byName = await clerk.machines.list({ query: prefix, orderBy: "name", limit: 2 });
    expect(byName.data.map((m) => m.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(byName.totalCount).toBe(3);
    expect((await clerk.machines.list({ query: app.id })).data.map((m) => m.id)).toEqual([app.id]);
  });

  it("grants and withdraws scopes, refusing a duplicate, a scope to itself and unknown machines", async () => {
    const a = await machine("scoper");
    const scope = await clerk.machines.createScope(a.id, stranger.id);
    expect(scope).toMatchObject({ fromMachineId: a.id, toMachineId: stranger.id });
    expect((await clerk.machines.get(a.id)).scopedMachines.map((m) => m.id)).toEqual([stranger.id]);
    expect(await failure(clerk.machines.createScope(a.id, stranger.id))).toEqual({
      status: 409,
      code: "duplicate_record",
    });
    expect((await failure(clerk.machines.createScope(a.id, a.id))).status).toBe(400);
    expect((await failure(clerk.machines.createScope(a.id, "mch_nope"))).status).toBe(404);
    expect((await failure(clerk.machines.createScope("mch_nope", a.id))).status).toBe(404);

    await clerk.machines.deleteScope(a.id, stranger.id);
    expect((await clerk.machines.get(a.id)).scopedMachines).toEqual([]);
    expect((await failure(clerk.machines.deleteScope(a.id, stranger.id))).status).toBe(404);
  });

  it("refuses a machine without a name or scoped to an unknown machine", async () => {
    expect(await failure(clerk.machines.create({ name: "" }))).toMatchObject({ status: 422 });
    expect(
      await failure(clerk.machines.create({ name: "x", scopedMachines: ["mch_unknown"] })),
    ).toMatchObject({ status: 422, code: "form_param_format_invalid" });
    expect((await failure(clerk.machines.get("mch_unknown"))).status).toBe(404);
  });

  it("rotates a secret key: the previous one works for the grace period asked for, or not at all", async () => {
    const m = await machine("rotating", [app.id]);
    const graced = (await clerk.machines.rotateSecretKey({ machineId: m.id, previousTokenTtl: 60 }))
      .secret;
    expect(graced).not.toBe(m.secret);
    expect((await clerk.machines.getSecretKey(m.id)).secret).toBe(graced);
    await clerk.m2m.createToken({ machineSecretKey: m.secret });
    await clerk.m2m.createToken({ machineSecretKey: graced });

    const fresh = (await clerk.machines.rotateSecretKey({ machineId: m.id, previousTokenTtl: 0 }))
      .secret;
    await clerk.m2m.createToken({ machineSecretKey: fresh });
    expect((await failure(clerk.m2m.createToken({ machineSecretKey: graced }))).status).toBe(401);
  });

  it("deletes a machine with its tokens and the scopes others had to it", async () => {
    const doomed = await machine("doomed", [app.id]);
    const caller = await machine("caller", [doomed.id]);
    const token = await clerk.m2m.createToken({ machineSecretKey: doomed.secret });
    await clerk.machines.delete(doomed.id);
    expect((await failure(clerk.machines.get(doomed.id))).status).toBe(404);
    expect((await clerk.machines.get(caller.id)).scopedMachines).toEqual([]);
    expect((await failure(clerk.m2m.verify({ token: token.token as string }))).status).toBe(404);
    expect((await failure(clerk.m2m.createToken({ machineSecretKey: doomed.secret }))).status).toBe(
      401,
    );
  });
});

describe("Backend API: opaque M2M tokens", () => {
  it("mints a token with the machine's scopes that verifies for the machine it names, with last use", async () => {
    const created = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      claims: { job: "reconcile" },
    });
    expect(created.id).toMatch(/^mt_[0-9a-f]{32}$/);
    expect(created.token).toMatch(/^mt_\w{32}$/);
    expect(created).toMatchObject({ subject: job.id, scopes: [app.id], revoked: false });
    // With no lifetime asked for, the machine's default (an hour).
    expect((created.expiration ?? 0) - created.createdAt).toBe(3600 * 1000);

    const byApp = await clerk.m2m.verify({
      token: created.token as string,
      machineSecretKey: app.secret,
    });
    expect(byApp).toMatchObject({
      id: created.id,
      subject: job.id,
      scopes: [app.id],
      claims: { job: "reconcile" },
    });
    expect(byApp.token).toBeUndefined();
    // The instance secret verifies any token of the instance.
    expect((await clerk.m2m.verify({ token: created.token as string })).id).toBe(created.id);

    const listed = await clerk.m2m.list({ subject: job.id, machineSecretKey: job.secret });
    const row = listed.data.find((t) => t.id === created.id);
    expect(row?.token).toBeUndefined();
    expect(
      (
        await emulatorRequest(emulator.url, "GET", `/m2m_tokens?subject=${job.id}`)
      ).body.m2m_tokens.find((t: { id: string }) => t.id === created.id).last_used_at,
    ).not.toBeNull();
  });

  it("does not verify a token for a machine it has no scope to", async () => {
    const token = (await clerk.m2m.createToken({ machineSecretKey: job.secret })).token as string;
    expect(
      await failure(clerk.m2m.verify({ token, machineSecretKey: stranger.secret })),
    ).toMatchObject({ status: 404 });
    // A stranger's tokens name no machine at all: no one but the instance verifies them.
    const lonely = await clerk.m2m.createToken({ machineSecretKey: stranger.secret });
    expect(lonely.scopes).toEqual([]);
    expect(
      (
        await failure(
          clerk.m2m.verify({ token: lonely.token as string, machineSecretKey: app.secret }),
        )
      ).status,
    ).toBe(404);
  });

  it("stops verifying a revoked token, which only its machine or the instance can revoke", async () => {
    const token = await clerk.m2m.createToken({ machineSecretKey: job.secret });
    expect(
      (
        await failure(
          clerk.m2m.revokeToken({ m2mTokenId: token.id, machineSecretKey: stranger.secret }),
        )
      ).status,
    ).toBe(404);
    const revoked = await clerk.m2m.revokeToken({
      m2mTokenId: token.id,
      machineSecretKey: job.secret,
      revocationReason: "rotated",
    });
    expect(revoked).toMatchObject({ revoked: true, revocationReason: "rotated" });
    expect(
      (
        await failure(
          clerk.m2m.verify({ token: token.token as string, machineSecretKey: app.secret }),
        )
      ).status,
    ).toBe(404);
    const { auth } = await authenticate(token.token as string, app.secret);
    expect(auth.isAuthenticated).toBe(false);

    const active = await clerk.m2m.list({ subject: job.id });
    expect(active.data.some((t) => t.id === token.id)).toBe(false);
    const all = await clerk.m2m.list({ subject: job.id, revoked: true });
    expect(all.data.find((t) => t.id === token.id)?.revoked).toBe(true);
  });

  it("stops verifying an expired token", async () => {
    const token = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      secondsUntilExpiration: 1,
    });
    await clerk.m2m.verify({ token: token.token as string, machineSecretKey: app.secret });
    await sleep(1_100);
    expect(
      (
        await failure(
          clerk.m2m.verify({ token: token.token as string, machineSecretKey: app.secret }),
        )
      ).status,
    ).toBe(404);
    const expired = await clerk.m2m.list({ subject: job.id, expired: true });
    expect(expired.data.find((t) => t.id === token.id)?.expired).toBe(true);
  });

  it("hands out a live token again with min_remaining_ttl_seconds, and refuses one it could never meet", async () => {
    const first = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      secondsUntilExpiration: 300,
      claims: { pool: 1 },
      minRemainingTtlSeconds: 60,
    });
    const again = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      secondsUntilExpiration: 300,
      claims: { pool: 1 },
      minRemainingTtlSeconds: 60,
    });
    expect(again.id).toBe(first.id);
    expect(again.token).toBe(first.token);
    const other = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      secondsUntilExpiration: 300,
      claims: { pool: 2 },
      minRemainingTtlSeconds: 60,
    });
    expect(other.id).not.toBe(first.id);
    expect(
      await failure(
        clerk.m2m.createToken({
          machineSecretKey: job.secret,
          secondsUntilExpiration: 60,
          minRemainingTtlSeconds: 60,
        }),
      ),
    ).toMatchObject({ status: 400 });
  });

  it("mints only with a machine's secret key, and lists a machine's tokens only for itself", async () => {
    // The instance secret cannot mint (no machine to mint for); a made-up key is no one's.
    expect(await failure(clerk.m2m.createToken())).toMatchObject({ status: 401 });
    expect(
      await failure(clerk.m2m.createToken({ machineSecretKey: "ak_not_a_machine_secret_00000" })),
    ).toMatchObject({ status: 401, code: "authentication_invalid" });
    expect(
      (await failure(clerk.m2m.list({ subject: job.id, machineSecretKey: stranger.secret })))
        .status,
    ).toBe(403);
  });

  it("authenticates a request as the machine for a receiver it is scoped to, and not for another", async () => {
    const token = (await clerk.m2m.createToken({ machineSecretKey: job.secret })).token as string;
    const ok = await authenticate(token, app.secret);
    expect(ok.auth).toMatchObject({
      tokenType: "m2m_token",
      isAuthenticated: true,
      machineId: job.id,
      subject: job.id,
      scopes: [app.id],
    });
    const refused = await authenticate(token, stranger.secret);
    expect(refused.auth.isAuthenticated).toBe(false);
    expect(refused.state.reason).toBe("token-invalid");
  });
});

describe("Backend API: JWT-format M2M tokens", () => {
  it("mints a JWT signed with the instance key that verifies without a Backend API call", async () => {
    const created = await clerk.m2m.createToken({
      machineSecretKey: job.secret,
      tokenFormat: "jwt",
      claims: { job: "reconcile" },
      secondsUntilExpiration: 120,
    });
    expect(created.token?.split(".")).toHaveLength(3);
    expect(created).toMatchObject({ subject: job.id, scopes: [app.id] });

    const networkless = createClerkClient({
      secretKey: TEST_SECRET_KEY,
      apiUrl: emulator.url,
      jwtKey,
    });
    const before = await backendCalls();
    const verified = await networkless.m2m.verify({ token: created.token as string });
    const { auth } = await authenticate(created.token as string, app.secret);
    expect(await backendCalls()).toBe(before);
    expect(verified).toMatchObject({
      id: created.id,
      subject: job.id,
      scopes: [app.id],
      expired: false,
    });
    expect(verified.claims).toMatchObject({ job: "reconcile" });
    expect(auth).toMatchObject({
      tokenType: "m2m_token",
      isAuthenticated: true,
      machineId: job.id,
    });

    // Neither stored nor revocable, as in Clerk.
    const listed = await clerk.m2m.list({ subject: job.id });
    expect(listed.data.some((t) => t.id === created.id)).toBe(false);
    expect((await failure(clerk.m2m.revokeToken({ m2mTokenId: created.id }))).status).toBe(404);
  });

  it("refuses an expired JWT, and one signed by another instance", async () => {
    const token = (
      await clerk.m2m.createToken({
        machineSecretKey: job.secret,
        tokenFormat: "jwt",
        secondsUntilExpiration: 1,
      })
    ).token as string;
    await sleep(2_100);
    const expired = await verifyMachineAuthToken(token, { jwtKey, clockSkewInMs: 0 });
    expect(expired.errors?.[0]?.code).toBe("token-verification-failed");

    // The same claims and header, signed by a key that is not the instance's.
    const [header, payload] = token.split(".") as [string, string];
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(JSON.parse(Buffer.from(payload, "base64url").toString()))
      .setProtectedHeader(JSON.parse(Buffer.from(header, "base64url").toString()))
      .setExpirationTime("1h")
      .sign(privateKey);
    const result = await verifyMachineAuthToken(forged, { jwtKey });
    expect(result.errors?.[0]?.code).toBe("token-verification-failed");
  });

  it("is never taken for a session token", async () => {
    const token = (
      await clerk.m2m.createToken({ machineSecretKey: job.secret, tokenFormat: "jwt" })
    ).token as string;
    const request = new Request("http://localhost:3000/api/v1/me", {
      headers: { authorization: `Bearer ${token}` },
    });
    const state = await clerk.authenticateRequest(request, {
      acceptsToken: "session_token",
      jwtKey,
    });
    expect(state.isAuthenticated).toBe(false);
  });
});
