import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import { type ClerkCallCounter, startClerkCallCounter } from "../../support/clerk-call-counter";
import { clerkFor, emulatorRequest, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type RedisServer, startRedisServer } from "../../support/redis-server";

// The API's rate limits, with the in-memory store and with Redis (shared by several instances):
// per credential, and failed credentials per client address, the latter enforced before Clerk is
// asked, so made-up keys cannot run up the Backend API bill.

const API_LIMIT = 5;
const FAILURE_LIMIT = 8;
// What an attacker sends at once; many more than either limit.
const BURST = 300;
// A Redis server of this file's own: several instances share it, and nothing else touches it.
const redis = await startRedisServer();

let emulator: EmulatorProcess;
let counter: ClerkCallCounter;
let clerk: ReturnType<typeof clerkFor>;
let org: string;
let userId: string;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  counter = await startClerkCallCounter(emulator.url);
  clerk = clerkFor(emulator.url);
  const owner = await clerk.users.createUser({ emailAddress: [`${unique("limit")}@example.com`] });
  userId = owner.id;
  org = (
    await clerk.organizations.createOrganization({ name: unique("Limit"), createdBy: owner.id })
  ).id;
});
afterAll(async () => {
  await redis?.stop();
  await counter?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

function limitedApp(env: Record<string, string> = {}) {
  return startApp({
    emulator: emulator,
    databaseUrl: inject("databaseUrl"),
    env: {
      CLERK_API_URL: counter.url,
      API_RATE_LIMIT: String(API_LIMIT),
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
      ...env,
    },
  });
}

async function newKey(): Promise<string> {
  const key = await clerk.apiKeys.create({ name: unique("limit"), subject: org, scopes: [] });
  return key.secret ?? "";
}

const get = (app: AppProcess, token: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}`, ...headers } });

const verifyCalls = () => counter.count(/^POST \/+api_keys\/verify/);

async function expectLimited(res: Response, policy: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(res.headers.get("ratelimit-policy")).toBe(policy);
  expect(res.headers.get("ratelimit")).toMatch(/;r=0;t=\d+$/);
  expect(await res.json()).toMatchObject({ status: 429, type: "/problems/too-many-requests" });
}

// Clerk's own count of the Backend API's key verifications (what Clerk bills), since the last reset.
async function clerkVerifications(): Promise<number> {
  const stats = await emulatorRequest(emulator.url, "GET", "/__emulator/stats");
  const routes = stats.body.routes as { method: string; route: string; count: number }[];
  return routes.find((r) => r.method === "POST" && r.route === "/api_keys/verify")?.count ?? 0;
}

// `count` requests at once, spread over the instances, each with the bearer `token(i)` gives:
// their statuses, and the verifications Clerk counted for them. On a machine so busy that the
// server answers some before it has read them (408), the app may still be working on those: the
// count is read once it has stopped changing.
async function burst(apps: AppProcess[], count: number, token: (i: number) => string) {
  await emulatorRequest(emulator.url, "DELETE", "/__emulator/stats");
  const statuses = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const res = await get(apps[i % apps.length] as AppProcess, token(i));
      await res.arrayBuffer();
      return res.status;
    }),
  );
  const tally: Record<number, number> = {};
  for (const s of statuses) tally[s] = (tally[s] ?? 0) + 1;
  let verified = await clerkVerifications();
  for (let stable = 0, waited = 0; stable < 4 && waited < 60; waited++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await clerkVerifications();
    stable = now === verified ? stable + 1 : 0;
    verified = now;
  }
  return { tally, verified };
}

// While Redis does not answer (a busy machine can keep it from answering within its bound), each
// instance counts in its own memory: the documented slack, up to the limit again per instance.
function slack(apps: AppProcess[], limit: number): number {
  const outage = apps.some((a) => /Redis unavailable, counting in memory/.test(a.output()));
  return outage ? limit * apps.length : 0;
}

// Every status in the tally is one of `statuses`.
function expectOnly(tally: Record<number, number>, statuses: number[]) {
  for (const status of Object.keys(tally).map(Number)) {
    expect(statuses, JSON.stringify(tally)).toContain(status);
  }
}

function behavesAsLimited(app: () => AppProcess, apps: () => AppProcess[] = () => [app()]) {
  it("lets a key make API_RATE_LIMIT requests a minute, saying how many are left, then 429 without asking Clerk", async () => {
    const key = await newKey();
    counter.reset();
    for (let i = 1; i <= API_LIMIT; i++) {
      const res = await get(app(), key);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe(`"api";q=${API_LIMIT};w=60`);
      expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"api";r=${API_LIMIT - i};t=\\d+$`));
    }
    await expectLimited(await get(app(), key), `"api";q=${API_LIMIT};w=60`);
    // Clerk verified the key once (the app keeps its answer), and was not asked about the 429.
    expect(verifyCalls()).toBe(1);
    // Another credential has its own allowance.
    expect((await get(app(), await newKey())).status).toBe(200);
  });

  it("counts a signed-in user's requests across their session tokens", async () => {
    const tokens = await Promise.all(
      [1, 2].map(async () => (await mintSession(emulator.url, { user_id: userId })).token),
    );
    for (let i = 0; i < API_LIMIT; i++) {
      expect((await get(app(), tokens[i % 2] as string)).status).toBe(200);
    }
    await expectLimited(await get(app(), tokens[0] as string), `"api";q=${API_LIMIT};w=60`);
  });

  it("verifies a key at most API_RATE_LIMIT times a minute however many of its requests arrive at once", async () => {
    const key = await newKey();
    const { tally, verified } = await burst(apps(), BURST, () => key);
    expect(verified).toBeGreaterThan(0);
    expect(verified).toBeLessThanOrEqual(API_LIMIT + slack(apps(), API_LIMIT));
    // The rest refused; on a machine this busy, a 503 for a verification that outlasted Clerk's
    // bound, a 408 for a request the server could not read in time.
    expectOnly(tally, [200, 408, 429, 503]);
    expect(tally[200] ?? 0).toBeLessThanOrEqual(API_LIMIT + slack(apps(), API_LIMIT));
    // Valid keys Clerk answered for gave their address's points back: nothing counts against it.
    if (!tally[503]) expect((await get(app(), await newKey())).status).toBe(200);
  });

  // Last: it blocks this test address for a minute.
  it("has Clerk verify at most AUTH_FAILURE_LIMIT made-up keys from an address a minute, however many arrive at once, whatever X-Forwarded-For says", async () => {
    const { tally, verified } = await burst(apps(), BURST, (i) => `ak_made_up_${i}_${unique("k")}`);
    // (None at all if verifications that timed out in the burst before kept their points.)
    const limit = FAILURE_LIMIT + slack(apps(), FAILURE_LIMIT);
    expect(verified).toBeLessThanOrEqual(limit);
    expectOnly(tally, [401, 408, 429, 503]);
    expect(tally[401] ?? 0).toBeLessThanOrEqual(limit);
    // What the burst left of the allowance (a 503 that never reached Clerk gave its point back)
    // goes one key at a time; still no more than the limit in all.
    counter.reset();
    for (let i = verified; i < FAILURE_LIMIT; i++) {
      const status = (await get(app(), `ak_made_up_${unique("k")}`)).status;
      if (status === 429) break;
      expect(status).toBe(401);
    }
    expect(verified + verifyCalls()).toBeLessThanOrEqual(limit);
    counter.reset();
    for (let i = 0; i < 10; i++) {
      const res = await get(app(), `ak_more_${i}`, { "x-forwarded-for": `198.51.100.${i}` });
      await expectLimited(res, `"auth-failures";q=${FAILURE_LIMIT};w=60`);
    }
    // Even a valid key, from that address, until the window ends: it cannot be told apart
    // without asking Clerk.
    expect((await get(app(), await newKey())).status).toBe(429);
    expect(verifyCalls()).toBe(0);
  });
}

describe("with the in-memory store", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await limitedApp();
  });
  afterAll(async () => {
    await app?.stop();
  });
  behavesAsLimited(() => app);
});

describe.skipIf(!redis)("with Redis (REDIS_URL)", () => {
  let one: AppProcess;
  let two: AppProcess;
  beforeAll(async () => {
    const env = { REDIS_URL: redis?.url ?? "" };
    [one, two] = await Promise.all([limitedApp(env), limitedApp(env)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it("shares one allowance between the app's instances", async () => {
    const key = await newKey();
    for (let i = 0; i < API_LIMIT; i++) {
      expect((await get(i % 2 ? one : two, key)).status).toBe(200);
    }
    await expectLimited(await get(one, key), `"api";q=${API_LIMIT};w=60`);
    await expectLimited(await get(two, key), `"api";q=${API_LIMIT};w=60`);
  });

  behavesAsLimited(
    () => one,
    () => [one, two],
  );
});

describe("with Redis unreachable", () => {
  it("keeps serving, counting in memory, and says so in the log", async () => {
    const app = await limitedApp({ REDIS_URL: "redis://127.0.0.1:9" });
    try {
      const key = await newKey();
      for (let i = 0; i < API_LIMIT; i++) expect((await get(app, key)).status).toBe(200);
      expect((await get(app, key)).status).toBe(429);
      expect(app.output()).toMatch(/Redis unavailable, counting in memory/);
    } finally {
      await app.stop();
    }
  });
});

describe("with Redis frozen", () => {
  // Its own server: frozen, it would stall the other suites' instances.
  let frozen: RedisServer | undefined;
  let app: AppProcess;
  beforeAll(async () => {
    frozen = await startRedisServer();
    if (frozen) app = await limitedApp({ REDIS_URL: frozen.url });
  });
  afterAll(async () => {
    await app?.stop();
    await frozen?.stop();
  });

  const timedGet = async (key: string) => {
    const started = Date.now();
    const res = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  };

  it("answers within Redis' command timeout, counts in memory while it is frozen, logs the outage once, and counts in Redis again when it thaws", async (context) => {
    if (!frozen) return context.skip();
    const key = await newKey();
    expect((await timedGet(key)).status).toBe(200);
    process.kill(frozen.pid, "SIGSTOP");
    const during: { status: number; ms: number }[] = [];
    try {
      for (let i = 0; i <= API_LIMIT; i++) during.push(await timedGet(key));
    } finally {
      process.kill(frozen.pid, "SIGCONT");
    }
    // The first request waits for one command timeout (1 s); the rest count in memory at once,
    // from zero: this instance alone, for as long as Redis does not answer.
    expect(during.map((o) => o.status)).toEqual([...Array(API_LIMIT).fill(200), 429]);
    expect(Math.max(...during.map((o) => o.ms))).toBeLessThan(3_000);
    expect(Math.max(...during.slice(1).map((o) => o.ms))).toBeLessThan(1_000);

    const deadline = Date.now() + 10_000;
    while (!/Redis is back/.test(app.output()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(app.output().match(/Redis unavailable, counting in memory/g)).toHaveLength(1);
    expect(app.output().match(/Redis is back/g)).toHaveLength(1);
    // Back in Redis, where the key had used one request before the freeze (and perhaps the one
    // that timed out, which Redis applies when it thaws): a fresh key is counted there again.
    const fresh = await newKey();
    expect((await timedGet(fresh)).status).toBe(200);
    const probe = new Redis(frozen.url, { maxRetriesPerRequest: 0 });
    try {
      expect(await probe.keys("acme-projects:api:*")).toHaveLength(2);
    } finally {
      probe.disconnect();
    }
  });
});
