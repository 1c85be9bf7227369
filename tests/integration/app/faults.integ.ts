import { generateKeyPair, SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../../../src/db/migrate";
import { type AppProcess, startApp } from "../../support/app-process";
import { type ClerkCallCounter, startClerkCallCounter } from "../../support/clerk-call-counter";
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
import { type FreezableRelay, startFreezableRelay } from "../../support/freezable-relay";

// An operator's view: the database or Clerk going away mid-load. Every answer is a fast 200 or a
// 503 with Retry-After (a problem for the API, a small page for pages; never a 500, a hang or a
// 401 for a valid key), and service comes back by itself. Breaking a database on purpose needs one
// of its own: this suite creates a scratch database on the PostgreSQL server of DATABASE_URL
// (CI's), and needs one; the app reaches it through a relay the suite can freeze.

const server = process.env.DATABASE_URL;
const scratchName = `faults_${process.pid}_${Date.now().toString(36)}`;
let admin: postgres.Sql;
let databaseUrl: string;
let emulator: EmulatorProcess;
let counter: ClerkCallCounter;
let relay: FreezableRelay;
let app: AppProcess;
let org: string;
let slug: string;
let key: string;
let sessionToken: string;
let clerk: ReturnType<typeof clerkFor>;
// A session in no organization: /dashboard asks Clerk where its user last worked.
let unplacedSessionToken: string;

beforeAll(async () => {
  if (!server) return;
  admin = postgres(server, { max: 2, onnotice: () => {} });
  await admin.unsafe(`create database ${scratchName}`);
  const url = new URL(server);
  url.pathname = `/${scratchName}`;
  databaseUrl = url.toString();
  await runMigrations(databaseUrl);

  emulator = await startEmulatorProcess();
  counter = await startClerkCallCounter(emulator.url);
  relay = await startFreezableRelay(databaseUrl);
  // The app's Backend API calls go through the counter; the browser's Frontend API does not matter.
  app = await startApp({
    emulator: emulator,
    databaseUrl: relay.url,
    // Verified keys are trusted for a minute: long enough to outlast an outage played below.
    env: { CLERK_API_URL: counter.url, API_KEY_CACHE_SECONDS: "60" },
  });
  clerk = clerkFor(emulator.url);
  const owner = await clerk.users.createUser({ emailAddress: [`${unique("fault")}@example.com`] });
  const organization = await clerk.organizations.createOrganization({
    name: unique("Fault"),
    createdBy: owner.id,
  });
  org = organization.id;
  slug = organization.slug;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, org, "team");
  key =
    (
      await clerk.apiKeys.create({
        name: unique("fault"),
        subject: org,
        scopes: ["projects:read", "projects:write"],
      })
    ).secret ?? "";
  sessionToken = (
    await mintSession(emulator.url, {
      user_id: owner.id,
      organization_id: org,
      lifetime_seconds: 3600,
    })
  ).token;
  unplacedSessionToken = (
    await mintSession(emulator.url, { user_id: owner.id, lifetime_seconds: 3600 })
  ).token;
});
afterAll(async () => {
  await app?.stop();
  await relay?.close();
  await counter?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  if (admin) {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${scratchName}`;
    await admin.unsafe(`drop database if exists ${scratchName}`);
    await admin.end();
  }
});

type Outcome = {
  status: number;
  ms: number;
  contentType: string | null;
  retryAfter: string | null;
  body: string;
};

// Fails (rather than hangs) past 20 s: every answer here must come well before.
async function timed(
  path: string,
  init: RequestInit = {},
  token = key,
  origin = app.url,
): Promise<Outcome> {
  const started = Date.now();
  const res = await fetch(`${origin}${path}`, {
    redirect: "manual",
    signal: AbortSignal.timeout(20_000),
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
  const body = await res.text();
  return {
    status: res.status,
    ms: Date.now() - started,
    contentType: res.headers.get("content-type"),
    retryAfter: res.headers.get("retry-after"),
    body,
  };
}

// What a browser gets from a page whose service is unavailable.
function expectUnavailablePage(o: Outcome, withinMs: number) {
  expect(o.status, o.body.slice(0, 200)).toBe(503);
  expect(o.contentType).toBe("text/html; charset=utf-8");
  expect(o.retryAfter).toMatch(/^\d+$/);
  expect(o.body).toContain("temporarily unavailable");
  expect(o.ms).toBeLessThan(withinMs);
}

function expectOnlyServedOrUnavailable(outcomes: Outcome[]) {
  for (const o of outcomes) {
    expect([200, 201, 503], JSON.stringify(o)).toContain(o.status);
    if (o.status === 503) {
      expect(o.contentType).toBe("application/problem+json");
      expect(o.retryAfter).toMatch(/^\d+$/);
    }
  }
}

async function eventuallyStatus(path: string, want: number, token = key): Promise<number> {
  // Recovery takes a fresh connection to the database (or to Clerk), seconds on a busy machine.
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await timed(path, {}, token)).status;
    if (status === want) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}

const logLines = (pattern: RegExp) =>
  app
    .output()
    .split("\n")
    .filter((l) => pattern.test(l)).length;

describe.skipIf(!server)("the database going away", () => {
  it("answers 200 or a 503 problem, none over 10 s, while its connections are terminated under load, and recovers", async () => {
    // Warm, so the first requests of a fresh server do not count against the bound.
    for (let i = 0; i < 3; i++) await timed("/api/v1/projects?limit=5");
    const outcomes: Outcome[] = [];
    const client = async (n: number) => {
      for (let i = 0; i < 8; i++) {
        outcomes.push(
          (n + i) % 2
            ? await timed("/api/v1/projects?limit=5")
            : await timed("/api/v1/projects", {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ name: `load ${n}.${i}` }),
              }),
        );
      }
    };
    let done = false;
    const clients = Promise.all(Array.from({ length: 8 }, (_, n) => client(n))).finally(() => {
      done = true;
    });
    // Every 300 ms, terminate every connection the app holds, whatever it is doing.
    let terminated = 0;
    while (!done) {
      await new Promise((r) => setTimeout(r, 300));
      const rows = await admin`
        select pg_terminate_backend(pid) as done from pg_stat_activity
        where datname = ${scratchName} and application_name = 'acme-projects'`;
      terminated += rows.length;
    }
    await clients;

    expect(terminated).toBeGreaterThan(0);
    expect(outcomes).toHaveLength(64);
    expectOnlyServedOrUnavailable(outcomes);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(10_000);
    expect(await eventuallyStatus("/api/v1/projects", 200)).toBe(200);
  });

  it("answers 503 within the statement timeout while a lock blocks the table, API and pages, then serves again", async () => {
    const locker = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const acquired = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const lock = locker.begin(async (tx) => {
      await tx`lock table projects in access exclusive mode`;
      locked();
      await held;
    });
    try {
      await acquired;
      const [blocked, page] = await Promise.all([
        timed("/api/v1/projects"),
        timed(`/orgs/${slug}`, {}, sessionToken),
      ]);
      expect(blocked.status).toBe(503);
      expect(blocked.retryAfter).toMatch(/^\d+$/);
      expect(blocked.ms).toBeLessThan(9_000);
      // The page's query gave up at the statement timeout: 503, not Next's 500.
      expectUnavailablePage(page, 10_000);
    } finally {
      release();
      await lock;
      await locker.end();
    }
    expect((await timed("/api/v1/projects")).status).toBe(200);
  });
});

describe.skipIf(!server)("the database frozen", () => {
  it("answers the API, pages and health 503 within 10 s while the database does not answer at all, and 200 within 5 s of its thaw", async () => {
    expect(await eventuallyStatus(`/orgs/${slug}`, 200, sessionToken)).toBe(200);
    relay.freeze();
    let during: Outcome[];
    try {
      during = await Promise.all([
        timed("/api/v1/projects"),
        timed(`/orgs/${slug}`, {}, sessionToken),
        timed("/api/health"),
      ]);
    } finally {
      relay.thaw();
    }
    const [api, page, health] = during as [Outcome, Outcome, Outcome];
    expect(api.status).toBe(503);
    expect(api.contentType).toBe("application/problem+json");
    expect(api.ms).toBeLessThan(10_000);
    expectUnavailablePage(page, 10_000);
    expect(health.status).toBe(503);
    const thawed = Date.now();
    expect(await eventuallyStatus(`/orgs/${slug}`, 200, sessionToken)).toBe(200);
    expect(await eventuallyStatus("/api/v1/projects", 200)).toBe(200);
    expect(Date.now() - thawed).toBeLessThan(20_000);
  });
});

describe.skipIf(!server)("Clerk going away", () => {
  it("answers a key Clerk has not verified yet 503 with Retry-After while Clerk is frozen, keeps verified keys and sessions working, logs the outage once, and recovers", async () => {
    // Warm: the app has verified `key` once (and keeps the answer). No session token has been
    // sent yet: the signing keys the app verifies sessions with are the ones it fetched as it
    // started.
    expect((await timed("/api/v1/me")).status).toBe(200);
    const unseen =
      (
        await clerk.apiKeys.create({
          name: unique("unseen"),
          subject: org,
          scopes: ["projects:read"],
        })
      ).secret ?? "";

    process.kill(emulator.pid, "SIGSTOP");
    let during: Outcome[];
    let session: Outcome;
    let verified: Outcome;
    let pages: Outcome[];
    let frontendApi: Outcome;
    try {
      const first = await timed("/api/v1/projects", {}, unseen);
      during = [first];
      for (let i = 0; i < 5; i++) during.push(await timed("/api/v1/projects", {}, unseen));
      session = await timed("/api/v1/projects", {}, sessionToken);
      verified = await timed("/api/v1/projects");
      // Pages that ask Clerk's Backend API (the keys of the organization, of the user; where
      // signing in lands) answer the small 503 page within Clerk's time limit.
      pages = [
        await timed(`/orgs/${slug}/settings/api-keys`, {}, sessionToken),
        await timed("/settings/api-keys", {}, sessionToken),
        await timed("/dashboard", {}, unplacedSessionToken),
      ];
      // The Frontend API, through the app's proxy, within Clerk's time limit.
      frontendApi = await timed("/__clerk/v1/environment", {}, "");
    } finally {
      process.kill(emulator.pid, "SIGCONT");
    }

    expect(session.status).toBe(200);
    // Within the 10 s no request may exceed (Clerk's own limit is 5 s).
    for (const page of pages) expectUnavailablePage(page, 10_000);
    expect(frontendApi.status).toBe(503);
    expect(frontendApi.retryAfter).toMatch(/^\d+$/);
    expect(frontendApi.ms).toBeLessThan(10_000);
    for (const o of during) {
      expect(o.status).toBe(503);
      expect(o.contentType).toBe("application/problem+json");
      expect(o.retryAfter).toMatch(/^\d+$/);
      expect(o.ms).toBeLessThan(10_000);
    }
    // Only the first waits for Clerk; the rest are refused at once while the outage lasts.
    expect(Math.max(...during.slice(1).map((o) => o.ms))).toBeLessThan(1_000);
    expect(verified.status).toBe(200);

    expect(await eventuallyStatus("/api/v1/projects", 200, unseen)).toBe(200);
    // Logged as an outage, once when it starts and once when it ends, not once per request (on a
    // machine busy enough for Clerk to miss its bound before or after, there may be another).
    const starts = logLines(/"msg":"Clerk is unavailable/);
    expect(starts).toBeGreaterThanOrEqual(1);
    expect(starts).toBeLessThan(during.length);
    expect(logLines(/"msg":"Clerk is available again/)).toBe(starts);
  });

  it.each([
    ["cannot be reached at all", "http://127.0.0.1:9"],
    ["answers 5xx", "counter in front of nothing"],
  ])(
    "answers an API key and a page that needs Clerk 503 quickly when Clerk %s",
    async (_label, target) => {
      // A counter forwarding to a closed port answers 502 for every call: Clerk failing with 5xx.
      const failing = target.startsWith("http")
        ? null
        : await startClerkCallCounter("http://127.0.0.1:9");
      const isolated = await startApp({
        emulator: emulator,
        databaseUrl,
        env: { CLERK_API_URL: failing?.url ?? target },
      });
      try {
        const started = Date.now();
        const res = await fetch(`${isolated.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(res.status).toBe(503);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(Date.now() - started).toBeLessThan(6_000);
        const page = await timed(`/orgs/${slug}/settings/api-keys`, {}, sessionToken, isolated.url);
        expectUnavailablePage(page, 6_000);
      } finally {
        await isolated.stop();
        await failing?.close();
      }
    },
  );

  it("refuses tokens signed with unknown keys without refetching Clerk's JWKS for each", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    counter.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const forged = await new SignJWT({ sid: "sess_x", v: 2 })
        .setProtectedHeader({ alg: "RS256", kid: `ins_forged_${i}` })
        .setSubject("user_forged")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
      statuses.push((await timed("/api/v1/me", {}, forged)).status);
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(counter.count(/\/jwks/)).toBeLessThanOrEqual(2);
  });

  it("drops session cookies signed with an unknown key from a page request, without asking Clerk", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ sid: "sess_x", v: 2 })
      .setProtectedHeader({ alg: "RS256", kid: "ins_other_instance" })
      .setSubject("user_forged")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    counter.reset();
    const res = await fetch(`${app.url}/`, {
      headers: { cookie: `__session=${forged}; __client_uat=1` },
      redirect: "manual",
    });
    expect(res.status).toBe(307);
    expect(res.headers.get("set-cookie")).toMatch(/__session=;/);
    expect(counter.count(/\/jwks/)).toBeLessThanOrEqual(1);
  });
});
