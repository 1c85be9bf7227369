import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { appStack } from "../../support/app-stack";
import {
  clerkFor,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import { encodeActionArgs, postServerAction, serverActionIds } from "../../support/server-action";

// Properties: whatever method, path, query, headers and body a client sends to /api/v1, the answer
// is never a 5xx, every refusal is problem+json, and a refused request changes nothing stored;
// whatever page path (file extensions included) and server-action post a client sends, signed in
// or not, the answer is never a 5xx.

const { app, emulator } = appStack();
let database: AppDatabase;
let org: string;
let writeKey: string;
let readKey: string;
let projectId: string;
let orgSlug: string;
let sessionToken: string;

beforeAll(async () => {
  const clerk = clerkFor(emulator.url);
  database = connectAppDatabase(inject("databaseUrl"));
  const owner = await clerk.users.createUser({ emailAddress: [`${unique("fuzz")}@example.com`] });
  const organization = await clerk.organizations.createOrganization({
    name: unique("Fuzz"),
    createdBy: owner.id,
  });
  org = organization.id;
  orgSlug = organization.slug;
  sessionToken = (
    await mintSession(emulator.url, {
      user_id: owner.id,
      organization_id: org,
      lifetime_seconds: 3600,
    })
  ).token;
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, org, "team");
  const key = async (scopes: string[]) =>
    (await clerk.apiKeys.create({ name: unique("fuzz"), subject: org, scopes })).secret ?? "";
  writeKey = await key(["projects:read", "projects:write", "members:read", "audit:read"]);
  readKey = await key(["projects:read"]);
  const created = await fetch(`${app.url}/api/v1/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Fuzzed" }),
  });
  projectId = (await created.json()).id;
});
afterAll(async () => {
  await database?.close();
});

// Everything stored for the tenant, as one value to compare before and after a request.
async function tenantState(): Promise<string> {
  const rows = await database.sql`
    select id, name, description, updated_at from projects where tenant_id = ${org} order by id`;
  return JSON.stringify(rows);
}

// Strings as an attacker would pick them: any Unicode (lone surrogates and NUL included), long
// runs, and the ones that break naive code.
const nasty = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "' or 1=1 --",
    "../../etc/passwd",
    "%00",
    "{{7*7}}",
    "-1",
    "9223372036854775808",
    "1e309",
    "",
    " ",
    "x".repeat(5000),
  ),
);

// Every byte percent-encoded (encodeURIComponent refuses lone surrogates).
const segment = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

const path = fc.oneof(
  fc.constantFrom("/api/v1/me", "/api/v1/projects", "/api/v1/members", "/api/v1/audit-events"),
  fc.constant("PROJECT"),
  nasty.map((s) => `/api/v1/projects/${segment(s)}`),
  nasty.map((s) => `/api/v1/${segment(s)}`),
);

const query = fc.dictionary(fc.oneof(fc.constantFrom("limit", "cursor", "kind"), nasty), nasty, {
  maxKeys: 3,
});

// JSON nested past any limit (a few KB can nest thousands of levels), in place of a field or whole.
const deep = fc
  .tuple(fc.integer({ min: 10, max: 5000 }), fc.constantFrom("[]", "{}"))
  .map(([depth, pair]) =>
    pair === "[]"
      ? `${"[".repeat(depth)}${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

const body = fc.oneof(
  fc.constant(undefined),
  nasty,
  deep,
  deep.map((d) => `{"name":"Deep","description":${d}}`),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      { name: fc.oneof(nasty, fc.jsonValue()), description: fc.oneof(nasty, fc.jsonValue()) },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"),
  path,
  query,
  body,
  auth: fc.oneof(
    fc.constantFrom("write", "read", "none"),
    nasty.map((s) => `raw:${s}`),
  ),
  contentType: fc.oneof(
    fc.constantFrom("application/json", "application/merge-patch+json", "text/plain"),
    nasty,
  ),
  requestId: fc.option(nasty, { nil: undefined }),
});

// A 503 with Retry-After is the app's designed answer while a service it needs (Clerk, the
// database) does not answer in time, as happens to a shared stack on a busy machine; such a request
// is sent again a few times, and only an answer that stays 503 says the input itself broke it.
async function settled(send: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 503 || !res.headers.has("retry-after") || attempt === 4) return res;
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  }
}

function headerSafe(value: string): string | null {
  // fetch refuses header values a client could not send anyway (control characters, non-Latin-1).
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? value : null;
}

describe("/api/v1 under arbitrary input", () => {
  it("never answers 5xx, always answers refusals as problems, and changes nothing it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url = new URL(
          `${app.url}${r.path === "PROJECT" ? `/api/v1/projects/${projectId}` : r.path}`,
        );
        for (const [k, v] of Object.entries(r.query)) url.searchParams.append(k, v);
        const headers = new Headers();
        const bearer =
          r.auth === "write"
            ? writeKey
            : r.auth === "read"
              ? readKey
              : r.auth === "none"
                ? null
                : r.auth.slice(4);
        const authorization = bearer === null ? null : headerSafe(`Bearer ${bearer}`);
        if (authorization) headers.set("authorization", authorization);
        const contentType = headerSafe(r.contentType);
        if (contentType) headers.set("content-type", contentType);
        const requestId = r.requestId === undefined ? null : headerSafe(r.requestId);
        if (requestId) headers.set("x-request-id", requestId);
        const sendsBody = r.body !== undefined && !["GET", "HEAD"].includes(r.method);

        const before = await tenantState();
        const res = await settled(() =>
          fetch(url, { method: r.method, headers, body: sendsBody ? r.body : undefined }),
        );
        const text = await res.text();
        const after = await tenantState();

        const said = res.status >= 500 ? `: ${text.slice(0, 300)}` : "";
        const where = `${r.method} ${url.pathname.slice(0, 120)} -> ${res.status}${said}`;
        expect(res.status, where).toBeLessThan(500);
        // Node's HTTP parser refuses a request line and headers over 16 KiB itself, before the app.
        if (res.status === 431) return;
        expect(res.headers.get("x-request-id"), where).toBeTruthy();
        if (res.status >= 400) {
          expect(res.headers.get("content-type"), where).toBe("application/problem+json");
          if (r.method !== "HEAD") expect(JSON.parse(text).status, where).toBe(res.status);
          expect(after, `${where} changed what is stored`).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// Page paths as the route table knows them, with a nasty segment or a file name's ending.
const pagePath = fc.oneof(
  fc.constantFrom("/", "/dashboard", "/onboarding", "/settings", "/settings/api-keys", "/docs/api"),
  fc.constantFrom("ORG", "ORG/settings/api-keys", "ORG/activity", "ORG/projects/PROJECT"),
  fc.constantFrom("/sign-in", "/sign-up", "/settings/account"),
  nasty.map((s) => `/orgs/${segment(s)}`),
  nasty.map((s) => `/settings/account/${segment(s)}`),
  fc
    .tuple(
      fc.constantFrom("/orgs/ORG", "/settings/account/x", "/onboarding", "/", "/dashboard"),
      fc.constantFrom(".css", ".html", ".js", ".json", ".png", ".txt", ".map"),
    )
    .map(([p, ext]) => `${p}${ext}`),
);

// A server action as a browser posts one: a real action's id (or a made-up one) and arguments as
// React encodes them (or anything at all).
const pageRequest = fc.record({
  path: pagePath,
  method: fc.constantFrom("GET", "HEAD", "POST"),
  signedIn: fc.boolean(),
  action: fc.option(
    fc.record({
      id: fc.oneof(
        fc.constantFrom(...serverActionIds()),
        fc.stringMatching(/^[0-9a-f]{40,42}$/),
        nasty,
      ),
      args: fc.oneof(
        fc.array(fc.oneof(fc.jsonValue(), nasty), { maxLength: 4 }).map((a) => ({ encode: a })),
        fc.oneof(nasty, deep).map((raw) => ({ raw })),
      ),
    }),
    { nil: undefined },
  ),
});

describe("pages and server actions under arbitrary input", () => {
  it("never answers 5xx", { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(pageRequest, async (r) => {
        const path = r.path.replace("ORG", `/orgs/${orgSlug}`).replace("PROJECT", projectId);
        const headers = new Headers();
        if (r.signedIn) headers.set("authorization", `Bearer ${sessionToken}`);
        let body: string | FormData | undefined;
        if (r.method === "POST" && r.action) {
          const id = headerSafe(r.action.id);
          if (id) headers.set("next-action", id);
          headers.set("accept", "text/x-component");
          headers.set("origin", app.url);
          body =
            "encode" in r.action.args
              ? await encodeActionArgs(r.action.args.encode)
              : r.action.args.raw;
          if (typeof body === "string") headers.set("content-type", "text/plain;charset=UTF-8");
        }
        const res = await settled(() =>
          fetch(`${app.url}${path}`, { method: r.method, headers, body, redirect: "manual" }),
        );
        const text = await res.text();
        // A 5xx's own words (a problem's title and detail) say which dependency or bound failed.
        const said = res.status >= 500 ? `: ${text.slice(0, 300)}` : "";
        const where = `${r.method} ${path.slice(0, 120)}${r.action ? ` action ${String(r.action.id).slice(0, 42)}` : ""} -> ${res.status}${said}`;
        expect(res.status, where).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

// Every server action with arguments of the wrong shape: none, too few, null, numbers, objects
// where text belongs, a form that is not a form, a body that is no argument list at all. React
// delivers whatever the caller posted.
describe("every server action, called with arguments of the wrong shape", () => {
  it("answers without a 5xx", { timeout: 120_000 }, async () => {
    const shapes: unknown[][] = [
      [],
      [null],
      [7],
      [{}],
      [orgSlug],
      [orgSlug, null],
      [orgSlug, { id: 1 }, { name: "x" }],
      [orgSlug, projectId, null, "not a form"],
      [{ kind: "organization" }],
      [{ kind: "organization", slug: orgSlug }, 42, []],
      [{ kind: "personal" }, null, { name: "x" }],
      [["a"], true],
    ];
    // Bodies that are JSON but not the argument list React encodes (the fuzz above once found a
    // bare number answered 500).
    const bodies = ["9223372036854775808", "{}", '"x"', "null", "true"];
    for (const id of serverActionIds()) {
      for (const body of bodies) {
        const res = await postServerAction({
          appUrl: app.url,
          page: `/orgs/${orgSlug}`,
          actionId: id,
          args: [],
          body,
          token: sessionToken,
        });
        expect(res.status, `action ${id} (body ${body}) -> ${res.status}`).toBe(400);
      }
      for (const args of shapes) {
        const res = await postServerAction({
          appUrl: app.url,
          page: `/orgs/${orgSlug}`,
          actionId: id,
          args,
          token: sessionToken,
        });
        const text = await res.text();
        const said = res.status >= 500 ? `: ${text.slice(0, 300)}` : "";
        expect(
          res.status,
          `action ${id} (${JSON.stringify(args)}) -> ${res.status}${said}`,
        ).toBeLessThan(500);
      }
    }
  });
});
