import { createHash } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import { type ClerkCallCounter, startClerkCallCounter } from "../../support/clerk-call-counter";
import { clerkFor, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type RedisServer, startRedisServer } from "../../support/redis-server";
import { callServerAction, serverActionId } from "../../support/server-action";

// Clerk's answers about API keys are kept for API_KEY_CACHE_SECONDS (src/auth/credential-cache.ts):
// two instances share them through Redis (a redis-server of this suite's own), a revocation
// through the app reaches both at once, one made at Clerk directly within that time (a third
// instance, trusting answers for a few seconds only, shows the bound).

const SHORT_CACHE_SECONDS = 3;

let emulator: EmulatorProcess;
let counter: ClerkCallCounter;
let clerk: ReturnType<typeof clerkFor>;
// Skipped where no redis-server is installed.
const redis: RedisServer | undefined = await startRedisServer();
let a: AppProcess;
let b: AppProcess;
let short: AppProcess;
let admin: string;
let org: { id: string; slug: string };

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  counter = await startClerkCallCounter(emulator.url);
  clerk = clerkFor(emulator.url);
  admin = (await clerk.users.createUser({ emailAddress: [`${unique("cache")}@example.com`] })).id;
  const created = await clerk.organizations.createOrganization({
    name: unique("Cache"),
    createdBy: admin,
  });
  org = { id: created.id, slug: created.slug };
  if (!redis) return;
  const instance = (seconds: number) =>
    startApp({
      emulator,
      databaseUrl: inject("databaseUrl"),
      env: {
        CLERK_API_URL: counter.url,
        REDIS_URL: redis?.url ?? "",
        API_KEY_CACHE_SECONDS: String(seconds),
      },
    });
  [a, b, short] = await Promise.all([instance(60), instance(60), instance(SHORT_CACHE_SECONDS)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), short?.stop()]);
  await redis?.stop();
  await counter?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

async function newKey() {
  const key = await clerk.apiKeys.create({
    name: unique("cached"),
    subject: org.id,
    scopes: ["projects:read"],
  });
  return { id: key.id, secret: key.secret ?? "" };
}

async function status(app: AppProcess, secret: string): Promise<number> {
  const res = await fetch(`${app.url}/api/v1/me`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  await res.arrayBuffer();
  return res.status;
}

const verifyCalls = () => counter.count(/^POST \/+api_keys\/verify/);

describe.skipIf(!redis)("API keys verified through a cache shared by two instances (Redis)", () => {
  it("asks Clerk once for a key, however many requests and instances use it", async () => {
    const key = await newKey();
    const other = await newKey();
    counter.reset();
    for (const app of [a, a, a, b, b, b]) expect(await status(app, key.secret)).toBe(200);
    expect(verifyCalls()).toBe(1);
    // Requests that arrive together while the key is not known yet wait for one verification.
    const together = await Promise.all(Array.from({ length: 10 }, () => status(a, other.secret)));
    expect(together).toEqual(Array(10).fill(200));
    expect(verifyCalls()).toBe(2);
  });

  it("remembers a key Clerk does not know, so retrying it costs Clerk one verification", async () => {
    const madeUp = `ak_${unique("madeup").replace(/\W/g, "")}`;
    counter.reset();
    for (const app of [a, a, b, b]) expect(await status(app, madeUp)).toBe(401);
    expect(verifyCalls()).toBe(1);
  });

  it("refuses a key revoked through the app's settings at once, on every instance", async () => {
    const key = await newKey();
    expect(await status(a, key.secret)).toBe(200);
    expect(await status(b, key.secret)).toBe(200);
    const token = (await mintSession(emulator.url, { user_id: admin, organization_id: org.id }))
      .token;
    const result = await callServerAction<{ ok: boolean }>({
      appUrl: a.url,
      page: `/orgs/${org.slug}/settings/api-keys`,
      actionId: serverActionId("src/api-keys/actions.ts", "revokeApiKeyAction"),
      args: [{ kind: "organization", slug: org.slug }, key.id],
      token,
    });
    expect(result.ok).toBe(true);
    expect(await status(b, key.secret)).toBe(401);
    expect(await status(a, key.secret)).toBe(401);
  });

  it("refuses a key revoked with Clerk's <APIKeys/> (through the app's /__clerk) at once, on every instance", async () => {
    const key = await newKey();
    expect(await status(a, key.secret)).toBe(200);
    expect(await status(b, key.secret)).toBe(200);
    const token = (await mintSession(emulator.url, { user_id: admin, organization_id: org.id }))
      .token;
    // What <APIKeys/> sends: the session token as bearer, to the Frontend API.
    const res = await fetch(`${a.url}/__clerk/api_keys/${key.id}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await status(b, key.secret)).toBe(401);
    expect(await status(a, key.secret)).toBe(401);
  });

  it(`refuses a key revoked at Clerk directly within API_KEY_CACHE_SECONDS (${SHORT_CACHE_SECONDS} s)`, async () => {
    const key = await newKey();
    expect(await status(short, key.secret)).toBe(200);
    await clerk.apiKeys.revoke({ apiKeyId: key.id });
    const revoked = Date.now();
    // The app has not heard of it: its answer from before stands, for a while.
    expect(await status(short, key.secret)).toBe(200);
    // Accepted only by a request sent within the bound: the answer was kept before the revocation.
    for (;;) {
      const sent = Date.now();
      if ((await status(short, key.secret)) !== 200) break;
      expect(sent - revoked).toBeLessThanOrEqual(SHORT_CACHE_SECONDS * 1000);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await status(a, key.secret)).toBe(401);
  });

  it("keeps nothing in Redis that authenticates: answers are filed under a hash of the secret", async () => {
    const key = await newKey();
    expect(await status(a, key.secret)).toBe(200);
    const client = new Redis(redis?.url ?? "");
    try {
      const names = await client.keys("*");
      const values = await Promise.all(names.map((n) => client.get(n)));
      const hash = createHash("sha256").update(key.secret).digest("base64url");
      expect(names.some((n) => n.endsWith(hash))).toBe(true);
      expect([...names, ...values].join("\n")).not.toContain(key.secret);
    } finally {
      client.disconnect();
    }
  });
});

describe("API_KEY_CACHE_SECONDS=0", () => {
  it("asks Clerk on every request", async () => {
    const off = await startApp({
      emulator,
      databaseUrl: inject("databaseUrl"),
      env: { CLERK_API_URL: counter.url, API_KEY_CACHE_SECONDS: "0" },
    });
    try {
      const key = await newKey();
      counter.reset();
      for (let i = 0; i < 3; i++) expect(await status(off, key.secret)).toBe(200);
      expect(verifyCalls()).toBe(3);
    } finally {
      await off.stop();
    }
  });
});
