import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CreateKeyState } from "../../../src/api-keys/actions";
import type { ProjectFormState } from "../../../src/app/orgs/[slug]/actions";
import { type ApiContract, apiContract } from "../../support/api-contract";
import {
  type AppDatabase,
  connectAppDatabase,
  eventually,
  storedPlanOf,
} from "../../support/app-database";
import { type AppProcess, freePort, startApp } from "../../support/app-process";
import { type ClerkCallCounter, startClerkCallCounter } from "../../support/clerk-call-counter";
import {
  type ClerkEvent,
  deliver,
  newSvixId,
  paymentAttemptEvent,
  type SubscriptionItemFields,
  subscriptionEvent,
  subscriptionItemEvent,
} from "../../support/clerk-webhooks";
import {
  clerkFor,
  emulatorRequest,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { callServerAction, serverActionId } from "../../support/server-action";

// Clerk Billing in the app, against the built app and an emulator that delivers its webhooks to
// it: the plan limits of the one authorization module through the API (403 problems naming what
// is missing and the plans that unlock it, held to the app's OpenAPI document), the API rate limit
// each plan sets, the subscriptions the webhook route syncs (every billing event type, duplicated
// and out of order) and what the audit log says of them. The rate limits are the plans' here:
// API_RATE_LIMIT is unset.

let emulator: EmulatorProcess;
let app: AppProcess;
let counter: ClerkCallCounter;
let clerk: ReturnType<typeof clerkFor>;
let database: AppDatabase;
let contract: ApiContract;
let webhookUrl: string;

beforeAll(async () => {
  const port = await freePort();
  emulator = await startEmulatorProcess({
    env: {
      EMULATOR_WEBHOOK_URL: `http://localhost:${port}/api/webhooks/clerk`,
      EMULATOR_WEBHOOK_TIME_SCALE: "0.001",
    },
  });
  counter = await startClerkCallCounter(emulator.url);
  clerk = clerkFor(emulator.url);
  app = await startApp({
    emulator,
    databaseUrl: inject("databaseUrl"),
    port,
    // Clerk asked about a key on every request (no cache of its answers), so that what Clerk is
    // spared is counted exactly.
    env: { CLERK_API_URL: counter.url, API_RATE_LIMIT: "", API_KEY_CACHE_SECONDS: "0" },
  });
  webhookUrl = `${app.url}/api/webhooks/clerk`;
  database = connectAppDatabase(inject("databaseUrl"));
  contract = apiContract(await fetch(`${app.url}/api/v1/openapi.json`).then((r) => r.json()));
});

afterAll(async () => {
  await app?.stop();
  await counter?.close();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await database?.close();
});

type Org = { id: string; slug: string; admin: string };

// A new organization (on the free plan, as every organization starts) and its admin.
async function newOrganization(label: string): Promise<Org> {
  const admin = await clerk.users.createUser({
    emailAddress: [`${unique(label)}@example.com`],
    firstName: label,
  });
  const org = await clerk.organizations.createOrganization({
    name: unique(label),
    createdBy: admin.id,
  });
  return { id: org.id, slug: org.slug, admin: admin.id };
}

// A session token of the organization's admin, minted now: it carries the plan in force now.
async function adminSession(org: Org): Promise<string> {
  return (await mintSession(emulator.url, { user_id: org.admin, organization_id: org.id })).token;
}

async function orgKey(org: Org, scopes: string[]): Promise<string> {
  return (await clerk.apiKeys.create({ name: unique("key"), subject: org.id, scopes }))
    .secret as string;
}

// One API request; its answer must match the OpenAPI document.
async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  const problems = contract.check({
    method,
    path,
    status: res.status,
    contentType: res.headers.get("content-type"),
    body: json,
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: res.status, body: json as any, headers: res.headers };
}

const createProject = (token: string, name = unique("Project")) =>
  call("POST", "/api/v1/projects", token, { name });

async function projectCount(org: Org): Promise<number> {
  const [row] = await database.sql`
    select count(*)::int as n from projects where tenant_id = ${org.id}`;
  return row?.n;
}

async function page(path: string, token: string) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, html: await res.text() };
}

const storedPlan = (org: Org) => storedPlanOf(database, org.id);

const endPeriod = (org: Org) =>
  emulatorRequest(emulator.url, "POST", `/__emulator/billing/organizations/${org.id}/end_period`);

describe("plan limits through the API", () => {
  it("refuses a project past the plan's limit naming the plans with room; an upgrade lifts it at once; a downgrade keeps every project and refuses the next", async () => {
    const org = await newOrganization("Limits");
    const free = await adminSession(org);
    for (let i = 0; i < 3; i++) expect((await createProject(free)).status).toBe(201);
    const refused = await createProject(free);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: "/problems/forbidden",
      plan_limit: "projects",
      limit: 3,
      plans: ["team", "business"],
    });
    expect(refused.body.detail).toContain("Upgrade to Team or Business");
    expect(await projectCount(org)).toBe(3);

    await subscribeOrganization(emulator.url, org.id, "team");
    expect((await createProject(await adminSession(org))).status).toBe(201);

    // Downgrading waits for the period's end, then the free plan's limit is back: the four
    // projects stay (readable, changeable, deletable), a fifth is refused.
    await subscribeOrganization(emulator.url, org.id, "free_org");
    expect((await createProject(await adminSession(org))).status).toBe(201);
    await endPeriod(org);
    const downgraded = await adminSession(org);
    expect(await createProject(downgraded)).toMatchObject({
      status: 403,
      body: { plan_limit: "projects", limit: 3, plans: ["team", "business"] },
    });
    const list = await call("GET", "/api/v1/projects", downgraded);
    expect(list.body.data).toHaveLength(5);
    const first = list.body.data[0].id;
    expect(
      (await call("PATCH", `/api/v1/projects/${first}`, downgraded, { name: "Kept" })).status,
    ).toBe(200);
    expect((await call("DELETE", `/api/v1/projects/${first}`, downgraded)).status).toBe(204);
  });

  it("counts inside the insert's transaction: of concurrent creates, only the room left passes", async () => {
    const org = await newOrganization("Race");
    const token = await adminSession(org);
    expect((await createProject(token)).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 8 }, () => createProject(token)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 403, 403, 403, 403, 403, 403]);
    expect(await projectCount(org)).toBe(3);
  });

  it("refuses the audit log on a plan without it, naming the plans that include it, and serves it once upgraded", async () => {
    const org = await newOrganization("Audit");
    const refused = await call("GET", "/api/v1/audit-events", await adminSession(org));
    expect(refused).toMatchObject({
      status: 403,
      body: { missing_feature: "audit_log", plans: ["team", "business"] },
    });
    // The log is written meanwhile: the upgrade shows what happened before it.
    await createProject(await adminSession(org), "Before the upgrade");
    await subscribeOrganization(emulator.url, org.id, "team");
    const served = await call("GET", "/api/v1/audit-events", await adminSession(org));
    expect(served.status).toBe(200);
    expect(served.body.data.map((e: { kind: string }) => e.kind)).toContain("project.created");
  });

  it("answers an organization's API key only while its plan has organization API keys (from the synced subscription), GET /me always", async () => {
    const org = await newOrganization("Keys");
    const key = await orgKey(org, ["projects:read", "projects:write"]);
    // The subscription the emulator announced on creation is what the app reads for a key.
    expect(
      await eventually(
        () => storedPlan(org),
        (p) => p === "free_org",
      ),
    ).toBe("free_org");
    expect(await call("GET", "/api/v1/projects", key)).toMatchObject({
      status: 403,
      body: { missing_feature: "organization_api_keys", plans: ["team", "business"] },
    });
    expect((await call("GET", "/api/v1/me", key)).status).toBe(200);

    await subscribeOrganization(emulator.url, org.id, "team");
    expect(
      await eventually(
        () => storedPlan(org),
        (p) => p === "team",
      ),
    ).toBe("team");
    expect((await call("GET", "/api/v1/projects", key)).status).toBe(200);

    // After a downgrade the key is kept, and refused again.
    await subscribeOrganization(emulator.url, org.id, "free_org");
    await endPeriod(org);
    expect(
      await eventually(
        () => storedPlan(org),
        (p) => p === "free_org",
      ),
    ).toBe("free_org");
    expect((await call("POST", "/api/v1/projects", key, { name: "x" })).status).toBe(403);
  });

  it("reads an organization the webhooks have not told about from Clerk once, and stores it", async () => {
    // Deliveries held back: the app hears nothing of this organization (as of one older than the
    // webhook endpoint) until it asks.
    const faults = "/__emulator/webhooks/faults";
    await emulatorRequest(emulator.url, "PUT", faults, { faults: "delay=600000" });
    try {
      const org = await newOrganization("Unsynced");
      await subscribeOrganization(emulator.url, org.id, "business");
      const key = await orgKey(org, ["projects:read"]);
      expect(await storedPlan(org)).toBeNull();
      counter.reset();
      expect((await call("GET", "/api/v1/projects", key)).status).toBe(200);
      expect(counter.count(/billing\/subscription/)).toBe(1);
      expect(await storedPlan(org)).toBe("business");
      counter.reset();
      expect((await call("GET", "/api/v1/projects", key)).status).toBe(200);
      expect(counter.count(/billing/)).toBe(0);
    } finally {
      await emulatorRequest(emulator.url, "PUT", faults, { faults: "" });
    }
  });
});

// Clerk's billing webhooks can be seconds or minutes late, or lost: an API key's plan, read from
// the synced subscription, would refuse what the organization has just paid for. A refusal on the
// stored plan reads it again from Clerk, at most once per organization every API_KEY_CACHE_SECONDS
// (src/billing/organization-plan.ts; 0 here, so every refusal asks). Here the emulator holds its
// deliveries back, so the app hears of no upgrade but from Clerk itself.
describe("a plan paid before its webhook arrives", () => {
  async function withWebhooksHeldBack(run: () => Promise<void>) {
    const faults = "/__emulator/webhooks/faults";
    await emulatorRequest(emulator.url, "PUT", faults, { faults: "delay=600000" });
    try {
      await run();
    } finally {
      await emulatorRequest(emulator.url, "PUT", faults, { faults: "" });
    }
  }

  const subscriptionReads = (org: Org) =>
    counter.count(new RegExp(`^GET \\S*/organizations/${org.id}/billing/subscription`));

  it("answers an organization's API key as soon as Clerk says the organization has paid, with one Backend API read", async () => {
    await withWebhooksHeldBack(async () => {
      const org = await newOrganization("Late");
      const key = await orgKey(org, ["projects:read"]);
      const refused = await call("GET", "/api/v1/projects", key);
      expect(refused).toMatchObject({
        status: 403,
        body: { missing_feature: "organization_api_keys", plans: ["team", "business"] },
      });
      expect(refused.body.detail).toContain(
        "This organization's plan does not include Organization API keys. Upgrade to Team",
      );
      expect(await storedPlan(org)).toBe("free_org");

      await subscribeOrganization(emulator.url, org.id, "team");
      counter.reset();
      expect((await call("GET", "/api/v1/projects", key)).status).toBe(200);
      expect(subscriptionReads(org)).toBe(1);
      // Stored as a webhook would have: the next request asks Clerk nothing.
      expect(await storedPlan(org)).toBe("team");
      counter.reset();
      expect((await call("GET", "/api/v1/projects", key)).status).toBe(200);
      expect(counter.count(/billing/)).toBe(0);
    });
  });

  it("reads the plan again at most once per organization per API_KEY_CACHE_SECONDS, however often a key is refused", async () => {
    // An instance with the default window (10 s); this file's own asks Clerk on every refusal.
    const paced = await startApp({
      emulator,
      databaseUrl: inject("databaseUrl"),
      env: { CLERK_API_URL: counter.url, API_RATE_LIMIT: "" },
    });
    try {
      await withWebhooksHeldBack(async () => {
        const org = await newOrganization("Hammer");
        const key = await orgKey(org, ["projects:read"]);
        counter.reset();
        for (let i = 0; i < 20; i++) {
          const res = await fetch(`${paced.url}/api/v1/projects`, {
            headers: { authorization: `Bearer ${key}` },
          });
          expect(res.status).toBe(403);
          expect(await res.json()).toMatchObject({ missing_feature: "organization_api_keys" });
        }
        // One read of an organization the database knew nothing of, one again on a refusal.
        expect(subscriptionReads(org)).toBeLessThanOrEqual(2);
      });
    } finally {
      await paced.stop();
    }
  });

  it("holds an API key over its stored plan's rate limit to the limit of the plan Clerk has now", async () => {
    await withWebhooksHeldBack(async () => {
      const org = await newOrganization("LateRate");
      const key = await orgKey(org, []);
      for (let i = 1; i <= 60; i++) {
        const res = await call("GET", "/api/v1/me", key);
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit-policy")).toBe('"api";q=60;w=60');
      }
      await subscribeOrganization(emulator.url, org.id, "team");
      const over = await call("GET", "/api/v1/me", key);
      expect(over.status).toBe(200);
      expect(over.headers.get("ratelimit-policy")).toBe('"api";q=600;w=60');
      expect(await storedPlan(org)).toBe("team");
    });
  });

  it("lets an API key create a project past the stored plan's limit once Clerk says the organization has upgraded", async () => {
    const org = await newOrganization("LateLimit");
    await subscribeOrganization(emulator.url, org.id, "team");
    await eventually(
      () => storedPlan(org),
      (p) => p === "team",
    );
    const key = await orgKey(org, ["projects:write"]);
    await database.sql`
      insert into projects (tenant_id, name, created_by)
      select ${org.id}, 'Filler ' || n, ${org.admin} from generate_series(1, 100) as n`;
    await withWebhooksHeldBack(async () => {
      await subscribeOrganization(emulator.url, org.id, "business");
      // The whole answer, so that a refusal says why.
      expect(await createProject(key)).toMatchObject({ status: 201 });
      expect(await projectCount(org)).toBe(101);
      expect(await storedPlan(org)).toBe("business");
    });
  });
});

describe("the API rate limit of each plan", () => {
  const policy = (res: { headers: Headers }) => res.headers.get("ratelimit-policy");

  it("gives a session its organization plan's limit, and the personal workspace its own", async () => {
    const org = await newOrganization("Rates");
    const free = await adminSession(org);
    for (let i = 1; i <= 60; i++) {
      const res = await call("GET", "/api/v1/me", free);
      expect(res.status).toBe(200);
      expect(policy(res)).toBe('"api";q=60;w=60');
    }
    const over = await call("GET", "/api/v1/me", free);
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toMatch(/^\d+$/);

    await subscribeOrganization(emulator.url, org.id, "business");
    // The count is kept per user and organization, and held to the limit of the plan the token
    // carries: on Business the same minute's count is far from its limit.
    const business = await call("GET", "/api/v1/me", await adminSession(org));
    expect(business.status).toBe(200);
    expect(policy(business)).toBe('"api";q=6000;w=60');
    const personal = (await mintSession(emulator.url, { user_id: org.admin })).token;
    expect(policy(await call("GET", "/api/v1/me", personal))).toBe('"api";q=600;w=60');
  });

  it("holds an API key to its organization's plan once Clerk says whose it is, then refuses it before asking Clerk", async () => {
    const org = await newOrganization("KeyRates");
    const key = await orgKey(org, []);
    await eventually(
      () => storedPlan(org),
      (p) => p === "free_org",
    );
    counter.reset();
    for (let i = 1; i <= 60; i++) {
      const res = await call("GET", "/api/v1/me", key);
      expect(res.status).toBe(200);
      expect(policy(res)).toBe('"api";q=60;w=60');
    }
    const over = await call("GET", "/api/v1/me", key);
    expect(over.status).toBe(429);
    expect(policy(over)).toBe('"api";q=60;w=60');
    const verified = counter.count(/^POST \/+api_keys\/verify/);
    expect(verified).toBe(61);
    const again = await call("GET", "/api/v1/me", key);
    expect(again.status).toBe(429);
    expect(again.headers.get("ratelimit")).toMatch(/^"api";r=0;t=\d+$/);
    expect(counter.count(/^POST \/+api_keys\/verify/)).toBe(verified);
  });
});

describe("the pages", () => {
  const form = (fields: Record<string, string | string[]>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of [value].flat()) data.append(name, v);
    }
    return data;
  };

  it("show the upgrade prompt where the plan stops someone, and their actions refuse it too", async () => {
    const org = await newOrganization("Pages");
    const token = await adminSession(org);
    for (let i = 0; i < 3; i++) await createProject(token);

    const dashboard = await page(`/orgs/${org.slug}`, token);
    expect(dashboard.html).toContain("3 of 3 projects on the Free plan.");
    expect(dashboard.html).toContain("Upgrade to create more projects");
    expect(dashboard.html).toContain(`href="/orgs/${org.slug}/billing"`);
    expect(dashboard.html).not.toContain("Create project");
    // An action posted from a page that still had the form: refused, with the plans to offer.
    const refused = await callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: `/orgs/${org.slug}`,
      actionId: serverActionId("src/app/orgs/[slug]/actions.ts", "createProjectAction"),
      args: [org.slug, { status: "idle" }, form({ name: "Fourth", description: "" })],
      token,
    });
    expect(refused).toMatchObject({ status: "error", upgradeTo: ["team", "business"] });
    expect(await projectCount(org)).toBe(3);

    const keys = await page(`/orgs/${org.slug}/settings/api-keys`, token);
    expect(keys.html).toContain("Upgrade to create organization API keys");
    const key = await callServerAction<CreateKeyState>({
      appUrl: app.url,
      page: `/orgs/${org.slug}/settings/api-keys`,
      actionId: serverActionId("src/api-keys/actions.ts", "createApiKeyAction"),
      args: [
        { kind: "organization", slug: org.slug },
        { status: "idle" },
        form({ name: "deploy", scopes: "projects:read", expiry: "never", description: "" }),
      ],
      token,
    });
    expect(key).toMatchObject({
      status: "error",
      message: expect.stringContaining("does not include Organization API keys"),
    });
    expect((await clerk.apiKeys.list({ subject: org.id })).totalCount).toBe(0);

    const activity = await page(`/orgs/${org.slug}/activity`, token);
    expect(activity.html).toContain("Upgrade to see your organization");
    expect(activity.html).not.toContain("<tbody");
  });

  it("shows billing admins the subscription as Clerk has it and its seats, and everyone else a page in words", async () => {
    const org = await newOrganization("Billing");
    const member = await clerk.users.createUser({
      emailAddress: [`${unique("member")}@example.com`],
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:member",
    });
    const text = async () =>
      (await page(`/orgs/${org.slug}/billing`, await adminSession(org))).html.replaceAll(
        /<[^>]+>/g,
        "",
      );
    expect(await text()).toContain("Free plan: free.");
    expect(await text()).toContain("Seats: 2 of 5 taken by members, 0 by pending invitations.");

    await subscribeOrganization(emulator.url, org.id, "team", "annual");
    const team = await text();
    expect(team).toContain("Team plan: $24.00 a month, billed annually ($288.00 a year).");
    expect(team).toMatch(/Renews on \w{3} \d+, \d{4}\./);
    expect(team).toContain("Seats: 2 of 10 taken by members");

    await subscribeOrganization(emulator.url, org.id, "free_org");
    const scheduled = await text();
    expect(scheduled).toMatch(/Canceled: in force until \w{3} \d+, \d{4}\./);
    expect(scheduled).toMatch(/Then the Free plan from \w{3} \d+, \d{4}\./);

    const memberToken = (
      await mintSession(emulator.url, { user_id: member.id, organization_id: org.id })
    ).token;
    const forMember = await page(`/orgs/${org.slug}/billing`, memberToken);
    expect(forMember.status).toBe(200);
    expect(forMember.html).toContain(
      "This organization is on the Team plan. Only admins can change its plan",
    );
    expect(forMember.html).not.toContain("Current subscription");
  });
});

// Signed deliveries as Clerk's billing webhooks send them, to the subscription_items table.
describe("subscriptions synced by the webhook route", () => {
  const plan = {
    free: { slug: "free_org", name: "Free", amount: 0 },
    team: { slug: "team", name: "Team", amount: 2900 },
  };

  function items(orgId: string) {
    const subscriptionId = unique("csub");
    const item = (fields: Partial<SubscriptionItemFields>): SubscriptionItemFields => ({
      id: unique("csubi"),
      subscriptionId,
      organizationId: orgId,
      plan: plan.team,
      status: "active",
      periodStart: 1_000_000,
      periodEnd: 2_000_000,
      updatedAt: 1_000_000,
      ...fields,
    });
    return { subscriptionId, item };
  }

  async function rows(orgId: string) {
    return database.sql`
      select id, plan_slug, status, period_end, clerk_updated_at from subscription_items
      where organization_id = ${orgId} order by period_start, id`;
  }

  async function processed(event: ClerkEvent, svixId = newSvixId()) {
    const res = await deliver(webhookUrl, event, { svixId });
    expect(res.status).toBe(200);
    return ((await res.json()) as { status: string }).status;
  }

  it("stores every item of each subscription event (created, updated, active, pastDue)", async () => {
    const orgId = unique("org_sync");
    const { subscriptionId, item } = items(orgId);
    const free = item({ plan: plan.free, status: "ended", periodEnd: null });
    const team = item({ periodStart: 1_500_000, updatedAt: 1_500_000 });
    const types = [
      "subscription.created",
      "subscription.updated",
      "subscription.active",
      "subscription.pastDue",
    ] as const;
    for (const [i, type] of types.entries()) {
      const status = type === "subscription.pastDue" ? "past_due" : "active";
      const event = subscriptionEvent(type, {
        id: subscriptionId,
        organizationId: orgId,
        updatedAt: 1_500_000 + i,
        items: [free, { ...team, status, updatedAt: 1_500_000 + i }],
      });
      expect(await processed(event)).toBe("processed");
      expect(await rows(orgId)).toEqual([
        expect.objectContaining({ id: free.id, plan_slug: "free_org", status: "ended" }),
        expect.objectContaining({ id: team.id, plan_slug: "team", status }),
      ]);
    }
  });

  it("applies every subscriptionItem event to its item", async () => {
    const orgId = unique("org_items");
    const { item } = items(orgId);
    const base = item({});
    const events: [string, SubscriptionItemFields["status"]][] = [
      ["upcoming", "upcoming"],
      ["incomplete", "incomplete"],
      ["active", "active"],
      ["updated", "active"],
      ["freeTrialEnding", "active"],
      ["pastDue", "past_due"],
      ["canceled", "canceled"],
      ["ended", "ended"],
      ["abandoned", "abandoned"],
    ];
    for (const [i, [event, status]] of events.entries()) {
      const type = `subscriptionItem.${event}` as const;
      const data = { ...base, status, updatedAt: 1_000_000 + i };
      expect(await processed(subscriptionItemEvent(type, data)), type).toBe("processed");
      expect(await rows(orgId), type).toEqual([expect.objectContaining({ id: base.id, status })]);
    }
  });

  it("keeps each item's newest state whatever the order, and applies a redelivery once", async () => {
    const orgId = unique("org_order");
    const { subscriptionId, item } = items(orgId);
    const team = item({ status: "active", updatedAt: 1_000 });
    const ended = { ...team, status: "ended" as const, updatedAt: 3_000 };
    const free = item({
      plan: plan.free,
      periodStart: 2_000_000,
      periodEnd: null,
      updatedAt: 3_000,
    });
    // The ending first, then a late activation and an older snapshot of the whole subscription.
    expect(await processed(subscriptionItemEvent("subscriptionItem.ended", ended))).toBe(
      "processed",
    );
    expect(await processed(subscriptionItemEvent("subscriptionItem.active", free))).toBe(
      "processed",
    );
    const svixId = newSvixId();
    const stale = subscriptionEvent("subscription.updated", {
      id: subscriptionId,
      organizationId: orgId,
      updatedAt: 1_000,
      items: [team],
    });
    expect(await processed(stale, svixId)).toBe("processed");
    expect(await processed(subscriptionItemEvent("subscriptionItem.active", team))).toBe(
      "processed",
    );
    expect(await processed(stale, svixId)).toBe("duplicate");
    expect(await rows(orgId)).toEqual([
      expect.objectContaining({ id: team.id, plan_slug: "team", status: "ended" }),
      expect.objectContaining({ id: free.id, plan_slug: "free_org", status: "active" }),
    ]);
  });

  it("deletes an organization's subscription with it; a late event does not bring it back", async () => {
    const org = await newOrganization("Deleted");
    await eventually(
      () => storedPlan(org),
      (p) => p === "free_org",
    );
    await clerk.organizations.deleteOrganization(org.id);
    await eventually(
      () => rows(org.id),
      (r) => r.length === 0,
    );
    expect(await rows(org.id)).toEqual([]);
    const { item } = items(org.id);
    await processed(
      subscriptionItemEvent("subscriptionItem.active", item({ updatedAt: Date.now() })),
    );
    expect(await rows(org.id)).toEqual([]);
  });

  it("records payments once, with their outcome, and ignores the attempt's creation", async () => {
    const orgId = unique("org_pay");
    const payment = { id: unique("cpay"), organizationId: orgId, amount: 2900, planName: "Team" };
    await processed(
      paymentAttemptEvent("paymentAttempt.created", {
        ...payment,
        status: "pending",
        updatedAt: 1,
      }),
    );
    const svixId = newSvixId();
    const failed = paymentAttemptEvent("paymentAttempt.updated", {
      ...payment,
      status: "failed",
      updatedAt: 2,
    });
    await processed(failed, svixId);
    await processed(failed, svixId);
    const recorded = await database.sql`
      select kind, changes from audit_events where tenant_id = ${orgId}`;
    expect(recorded).toEqual([
      {
        kind: "payment.failed",
        changes: {
          amount: "29.00 USD",
          plan_name: "Team",
          card: "visa 4242",
          charge_type: "checkout",
          failed_reason: "card_declined: insufficient_funds",
        },
      },
    ]);
  });
});

describe("the organization's plan in the audit log", () => {
  it("records what Clerk reports, and the Activity page says it in words", async () => {
    const org = await newOrganization("Story");
    await subscribeOrganization(emulator.url, org.id, "team");
    await subscribeOrganization(emulator.url, org.id, "free_org");
    const token = await adminSession(org);
    const kinds = async () =>
      (await call("GET", "/api/v1/audit-events?limit=100", token)).body.data
        .map((e: { kind: string }) => e.kind)
        .filter((k: string) => k.startsWith("plan.") || k.startsWith("payment."))
        .reverse();
    // Free on creation; Team paid at once (Free ends); a downgrade scheduled (Team canceled).
    const expected = [
      "plan.started",
      "plan.ended",
      "plan.started",
      "payment.paid",
      "plan.canceled",
      "plan.scheduled",
    ];
    expect(await eventually(kinds, (k) => k.length >= expected.length)).toEqual(
      expect.arrayContaining(expected),
    );

    const activity = await page(`/orgs/${org.slug}/activity`, token);
    expect(activity.status).toBe(200);
    const text = activity.html.replaceAll(/<[^>]+>/g, " ");
    expect(text).toMatch(
      /Plan started\s+Clerk Billing\s+Team, billed monthly, until \w{3} \d+, \d{4}/,
    );
    expect(text).toMatch(/Payment received\s+Clerk Billing\s+29\.00 USD for Team, visa 4242/);
    expect(text).toMatch(/Plan canceled\s+Clerk Billing\s+Team, in force until/);
    expect(text).toMatch(/Plan change scheduled\s+Clerk Billing\s+Free from/);
  });
});
