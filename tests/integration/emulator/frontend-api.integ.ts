import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { fapiBrowser, SKIP_BAPI_CONTRACT } from "../../support/fapi-browser";
import { mailboxCode as mailboxCodeOf } from "../../support/mailbox";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// The Frontend API as clerk-js speaks it, without a browser (support/fapi-browser.ts): the flows
// the Playwright suite drives through the UI, checked at the wire.
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({ env: { EMULATOR_WEBHOOK_URL: receiver.url } });
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const browser = () => fapiBrowser(emulator.frontendUrl);
const mailboxCode = (to: string) => mailboxCodeOf(emulator.url, to);

describe("Frontend API", () => {
  it("signs up with an email code, which creates the user and a session and emits their webhooks", async () => {
    const b = await browser();
    const email = `${unique("signup")}@example.com`;
    const created = await b.call("POST", "/v1/client/sign_ups", {
      email_address: email,
      password: "long-enough-pw",
    });
    expect(created.body.response).toMatchObject({
      status: "missing_requirements",
      unverified_fields: ["email_address"],
    });
    const id = created.body.response.id;
    await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_code",
    });
    const code = await mailboxCode(email);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
      strategy: "email_code",
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_code_incorrect",
      meta: { param_name: "code" },
    });

    const done = await b.call("POST", `/v1/client/sign_ups/${id}/attempt_verification`, {
      strategy: "email_code",
      code: code as string,
    });
    expect(done.body.response.status).toBe("complete");
    const userId = done.body.response.created_user_id;
    expect(done.body.client.sessions).toHaveLength(1);
    expect(done.body.client.sessions[0].user.id).toBe(userId);

    await receiver.waitFor((all) =>
      ["user.created", "session.created"].every((t) =>
        all.some((d) => d.type === t && JSON.stringify(d.payload.data).includes(userId)),
      ),
    );
  });

  it("answers a wrong password and an unknown identifier with the codes the UI maps to fields", async () => {
    const clerk = clerkFor(emulator.url);
    const email = `${unique("pw")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email], password: "right-password-1" });
    const b = await browser();
    const unknown = await b.call("POST", "/v1/client/sign_ins", { identifier: `nobody-${email}` });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({
      code: "form_identifier_not_found",
      meta: { param_name: "identifier" },
    });

    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    expect(started.body.response.status).toBe("needs_first_factor");
    const id = started.body.response.id;
    const wrong = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "password",
      password: "nope",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      code: "form_password_incorrect",
      meta: { param_name: "password" },
    });
    const ok = await b.call("POST", `/v1/client/sign_ins/${id}/attempt_first_factor`, {
      strategy: "password",
      password: "right-password-1",
    });
    expect(ok.body.response.status).toBe("complete");
  });

  it("answers each active session's browser, device and address as its latest activity", async () => {
    const clerk = clerkFor(emulator.url);
    const email = `${unique("devices")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email], password: "right-password-1" });
    const chromeOnLinux =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";
    const signInFrom = async (headers: Record<string, string>) => {
      const b = await fapiBrowser(emulator.frontendUrl, undefined, headers);
      const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
      const done = await b.call(
        "POST",
        `/v1/client/sign_ins/${started.body.response.id}/attempt_first_factor`,
        { strategy: "password", password: "right-password-1" },
      );
      expect(done.body.response.status).toBe("complete");
      const active = await b.call("GET", "/v1/me/sessions/active");
      expect(active.body).toHaveLength(1);
      return active.body[0].latest_activity;
    };

    // Straight from this machine: the connection's address.
    expect(await signInFrom({ "user-agent": chromeOnLinux })).toMatchObject({
      object: "session_activity",
      browser_name: "Chrome",
      browser_version: "131.0.6778.85",
      device_type: "Linux",
      is_mobile: false,
      ip_address: "127.0.0.1",
      country: "This machine",
    });
    // Through the app's proxy, which proves itself with the secret key: the browser it names.
    const iPhone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    expect(
      await signInFrom({
        "user-agent": iPhone,
        "clerk-secret-key": TEST_SECRET_KEY,
        "x-forwarded-for": "192.168.1.20",
      }),
    ).toMatchObject({
      browser_name: "Mobile Safari",
      browser_version: "17.5",
      device_type: "iPhone",
      is_mobile: true,
      ip_address: "192.168.1.20",
      country: "Private network",
    });
    // Anyone else's X-Forwarded-For is not believed.
    expect(
      await signInFrom({ "user-agent": chromeOnLinux, "x-forwarded-for": "203.0.113.9" }),
    ).toMatchObject({ ip_address: "127.0.0.1" });
  });

  it("signs in with an email code sent to the mailbox, and never shares sessions between browsers", async () => {
    const clerk = clerkFor(emulator.url);
    const email = `${unique("code")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email] });
    const first = await browser();
    const other = await browser();
    const started = await first.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      strategy: "email_code",
    });
    const factor = started.body.response.first_factor_verification;
    expect(factor).toMatchObject({ strategy: "email_code", status: "unverified" });
    const code = await mailboxCode(email);
    const done = await first.call(
      "POST",
      `/v1/client/sign_ins/${started.body.response.id}/attempt_first_factor`,
      {
        strategy: "email_code",
        code: code as string,
      },
    );
    expect(done.body.client.sessions).toHaveLength(1);
    const otherClient = await other.call("GET", "/v1/client");
    expect(otherClient.body.response.sessions).toHaveLength(0);
  });

  it("creates an organization as the signed-in user, activates it on touch and puts it in the token", async () => {
    const clerk = clerkFor(emulator.url);
    const email = `${unique("org")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email], password: "right-password-1" });
    const b = await browser();
    const signIn = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      password: "right-password-1",
    });
    const sessionId = signIn.body.response.created_session_id;
    const created = await b.call("POST", `/v1/organizations?_clerk_session_id=${sessionId}`, {
      name: "Wire Org",
    });
    const orgId = created.body.response.id;
    const touched = await b.call("POST", `/v1/client/sessions/${sessionId}/touch`, {
      active_organization_id: orgId,
    });
    expect(touched.body.response.last_active_organization_id).toBe(orgId);
    const jwt = touched.body.response.last_active_token.jwt;
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
    expect(claims.o).toMatchObject({ id: orgId, rol: "admin" });
    const membership = touched.body.response.user.organization_memberships[0];
    expect(membership.permissions).toContain("org:sys_api_keys:manage");

    await receiver.waitFor((all) =>
      ["organization.created", "organizationMembership.created"].every((t) =>
        all.some((d) => d.type === t && JSON.stringify(d.payload.data).includes(orgId)),
      ),
    );
  });

  it("keeps the Backend API off the Frontend API origin, whatever credential is sent", async () => {
    const secret = {
      authorization: `Bearer ${TEST_SECRET_KEY}`,
      "content-type": "application/json",
      ...SKIP_BAPI_CONTRACT,
    };
    const onFrontend = (path: string, init: RequestInit = {}) =>
      fetch(`${emulator.frontendUrl}${path}`, { ...init, headers: secret });
    expect((await onFrontend("/v1/users")).status).toBe(404);
    expect((await onFrontend("/__emulator/mailbox")).status).toBe(404);
    const mint = await onFrontend("/api_keys", {
      method: "POST",
      body: JSON.stringify({ name: "stolen", subject: "user_2aaaaaaaaaaaaaaaaaaaaaaaaaa" }),
    });
    expect(mint.status).toBe(401);
    // ... and the Frontend API off the Backend API origin.
    expect((await fetch(`${emulator.url}/v1/environment`, { headers: secret })).status).toBe(404);
  });

  it("asks a browser without a known dev browser to get one", async () => {
    const res = await fetch(`${emulator.frontendUrl}/v1/client?__clerk_db_jwt=dvb_unknown`, {
      headers: SKIP_BAPI_CONTRACT,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(
      "dev_browser_unauthenticated",
    );
  });

  it("serves the pinned clerk-js and @clerk/ui bundles from node_modules, nothing else", async () => {
    const get = (path: string) =>
      fetch(`${emulator.frontendUrl}${path}`, { headers: SKIP_BAPI_CONTRACT });
    const js = await get("/npm/@clerk/clerk-js@6/dist/clerk.browser.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toContain("6.40.0");
    expect((await get("/npm/@clerk/ui@1/dist/ui.browser.js")).status).toBe(200);
    expect((await get("/npm/@clerk/ui@1/dist/..%2F..%2Fpackage.json")).status).toBe(404);
  });

  it("hands a browser back to the app with signed handshake cookies", async () => {
    const res = await fetch(
      `${emulator.frontendUrl}/v1/client/handshake?redirect_url=${encodeURIComponent("http://localhost:3000/orgs/x")}&suffixed_cookies=true`,
      { redirect: "manual", headers: SKIP_BAPI_CONTRACT },
    );
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("http://localhost:3000/orgs/x");
    const token = location.searchParams.get("__clerk_handshake") ?? "";
    const { handshake } = JSON.parse(
      Buffer.from(token.split(".")[1] ?? "", "base64url").toString(),
    );
    expect(handshake).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^__clerk_db_jwt=dvb_/),
        expect.stringMatching(/^__client_uat=0;/),
      ]),
    );

    const open = await fetch(
      `${emulator.frontendUrl}/v1/client/handshake?redirect_url=${encodeURIComponent("https://evil.example/")}`,
      { redirect: "manual", headers: SKIP_BAPI_CONTRACT },
    );
    expect(open.status).toBe(400);
    // Nor when the request names that origin itself: only the configured app origin (and loopback
    // ones, as in development) are the app.
    const spoofs: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "clerk-proxy-url": "https://evil.example/__clerk" },
      { "x-forwarded-host": "evil.example" },
    ];
    for (const named of spoofs) {
      const spoofed = await fetch(
        `${emulator.frontendUrl}/v1/client/handshake?redirect_url=${encodeURIComponent("https://evil.example/")}`,
        { redirect: "manual", headers: { ...SKIP_BAPI_CONTRACT, ...named } },
      );
      expect(spoofed.status, JSON.stringify(named)).toBe(400);
    }
  });
});

describe("Frontend API: organization roles", () => {
  it("offers <OrganizationProfile/> every role of the instance, one added through the Backend API too", async () => {
    const clerk = clerkFor(emulator.url);
    const email = `${unique("roles")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email], password: "right-password-1" });
    const b = await browser();
    const signIn = await b.call("POST", "/v1/client/sign_ins", {
      identifier: email,
      password: "right-password-1",
    });
    const sessionId = signIn.body.response.created_session_id;
    const org = await b.call("POST", `/v1/organizations?_clerk_session_id=${sessionId}`, {
      name: "Roles Org",
    });
    const key = `org:${unique("auditor").replaceAll("-", "_").toLowerCase()}`;
    await clerk.organizationRoles.createOrganizationRole({ name: "Auditor", key });

    const roles = await b.call(
      "GET",
      `/v1/organizations/${org.body.response.id}/roles?_clerk_session_id=${sessionId}&limit=20&offset=0`,
    );
    const served = roles.body.response.data.map((r: { key: string; name: string }) => [
      r.key,
      r.name,
    ]);
    expect(served).toEqual([
      ["org:admin", "Admin"],
      ["org:member", "Member"],
      ["org:viewer", "Viewer"],
      [key, "Auditor"],
    ]);
    expect(roles.body.response.total_count).toBe(4);
  });
});
