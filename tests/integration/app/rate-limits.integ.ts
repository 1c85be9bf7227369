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

// The API's rate limits, with the in-memory store and with Redis (shared by several instances):
// per credential, and failed credentials per client address, the latter enforced before Clerk is
// asked, so made-up keys cannot run up the Backend API bill.

const API_LIMIT = 5;
const FAILURE_LIMIT = 3;
// A Redis database of this run's own (0 is left to the developer), so runs side by side on one
// Redis server never share counters.
const REDIS_URL = `redis://127.0.0.1:6379/${1 + (process.pid % 15)}`;

let emulator: EmulatorProcess;
let counter: ClerkCallCounter;
let clerk: ReturnType<typeof clerkFor>;
let org: string;
let userId: string;

const redisAnswers = await (async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await probe.connect();
    await probe.flushdb();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();

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

function behavesAsLimited(app: () => AppProcess) {
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

  // Last: it blocks this test address for a minute.
  it("refuses an address with AUTH_FAILURE_LIMIT failed keys a minute before Clerk is asked, whatever X-Forwarded-For says", async () => {
    counter.reset();
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      expect((await get(app(), `ak_made_up_${i}_${unique("k")}`)).status).toBe(401);
    }
    expect(verifyCalls()).toBe(FAILURE_LIMIT);
    for (let i = 0; i < 10; i++) {
      const res = await get(app(), `ak_more_${i}`, { "x-forwarded-for": `198.51.100.${i}` });
      await expectLimited(res, `"auth-failures";q=${FAILURE_LIMIT};w=60`);
    }
    // Even a valid key, from that address, until the window ends: it cannot be told apart
    // without asking Clerk.
    expect((await get(app(), await newKey())).status).toBe(429);
    expect(verifyCalls()).toBe(FAILURE_LIMIT);
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

describe.skipIf(!redisAnswers)("with Redis (REDIS_URL)", () => {
  let one: AppProcess;
  let two: AppProcess;
  beforeAll(async () => {
    [one, two] = await Promise.all([limitedApp({ REDIS_URL }), limitedApp({ REDIS_URL })]);
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

  behavesAsLimited(() => one);
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
