import { beforeAll, describe, expect, it } from "vitest";
import { appStack } from "../../support/app-stack";
import {
  emulatorRequest,
  mintSession,
  subscribeOrganization,
  unique,
} from "../../support/emulator-client";
import { callServerAction, serverActionId } from "../../support/server-action";

// The app's sensitive actions (src/auth/authorize.ts: creating and revoking API keys, deleting a
// project, reconnecting a third-party application) need a session that verified the user within
// the last 10 minutes, checked with Clerk's `has({ reverification: "strict" })` on the session
// token's `fva`. A stale session gets Clerk's reverification error (server actions) or a 403
// problem carrying it (the API), and nothing changes; an API key is held to its scopes only. The
// browser's side (Clerk's modal, the retry) is the end-to-end suite's.

const { app, emulator, clerk } = appStack();
let admin: string;
let org: { id: string; slug: string };

beforeAll(async () => {
  admin = (await clerk.users.createUser({ emailAddress: [`${unique("admin")}@example.com`] })).id;
  const created = await clerk.organizations.createOrganization({
    name: unique("Reverify Org"),
    createdBy: admin,
  });
  org = { id: created.id, slug: created.slug };
  // On a paid plan: organization API keys and the project limit are not under test here.
  await subscribeOrganization(emulator.url, org.id, "team");
});

const REVERIFICATION_ERROR = {
  clerk_error: {
    type: "forbidden",
    reason: "reverification-error",
    metadata: { reverification: "strict" },
  },
};

// A session of the admin in the organization, whose verifications are `minutes` old (the
// emulator's helper), and a token minted for it after that.
async function sessionVerified(minutesAgo: number) {
  const { session } = await mintSession(emulator.url, { user_id: admin, organization_id: org.id });
  const aged = await emulatorRequest(
    emulator.url,
    "POST",
    `/__emulator/sessions/${session.id}/factor_verification_age`,
    { minutes: minutesAgo },
  );
  expect(aged.body.factor_verification_age).toEqual([minutesAgo, -1]);
  return (await clerk.sessions.getToken(session.id, "")).jwt;
}

const action = (file: string, name: string, args: unknown[], token: string, page: string) =>
  callServerAction<Record<string, unknown>>({
    appUrl: app.url,
    page,
    actionId: serverActionId(file, name),
    args,
    token,
  });

async function createProject(token: string) {
  const res = await fetch(`${app.url}/api/v1/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: unique("sensitive") }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const deleteThroughApi = (id: string, token: string) =>
  fetch(`${app.url}/api/v1/projects/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });

describe("sensitive actions and reverification", () => {
  it("creates and revokes API keys for a session verified 9 minutes ago, not 11", async () => {
    const settings = `/orgs/${org.slug}/settings/api-keys`;
    const target = { kind: "organization", slug: org.slug };
    const form = (name: string) => {
      const f = new FormData();
      f.append("name", name);
      f.append("scopes", "projects:read");
      f.append("expiry", "1d");
      f.append("description", "");
      return f;
    };
    const create = (name: string, token: string) =>
      action(
        "src/api-keys/actions.ts",
        "createApiKeyAction",
        [target, { status: "idle" }, form(name)],
        token,
        settings,
      );
    const stale = await sessionVerified(11);
    const refused = unique("refused-key");
    expect(await create(refused, stale)).toEqual(REVERIFICATION_ERROR);
    const keys = await clerk.apiKeys.list({ subject: org.id });
    expect(keys.data.map((k) => k.name)).not.toContain(refused);

    const fresh = await sessionVerified(9);
    const made = await create(unique("made-key"), fresh);
    expect(made).toMatchObject({ status: "created" });
    const keyId = (made.key as { id: string }).id;

    const revoke = (token: string) =>
      action("src/api-keys/actions.ts", "revokeApiKeyAction", [target, keyId], token, settings);
    expect(await revoke(stale)).toEqual(REVERIFICATION_ERROR);
    expect((await clerk.apiKeys.get(keyId)).revoked).toBe(false);
    expect(await revoke(fresh)).toMatchObject({ ok: true });
    expect((await clerk.apiKeys.get(keyId)).revoked).toBe(true);
  });

  it("deletes a project from the dashboard only for a freshly verified session", async () => {
    const fresh = await sessionVerified(0);
    const id = await createProject(fresh);
    const remove = (token: string) =>
      action(
        "src/app/orgs/[slug]/actions.ts",
        "deleteProjectAction",
        [org.slug, id],
        token,
        `/orgs/${org.slug}`,
      );
    expect(await remove(await sessionVerified(30))).toEqual(REVERIFICATION_ERROR);
    const still = await fetch(`${app.url}/api/v1/projects/${id}`, {
      headers: { authorization: `Bearer ${fresh}` },
    });
    expect(still.status).toBe(200);
    expect(await remove(fresh)).toMatchObject({ ok: true });
  });

  it("answers a stale session's DELETE on the API with a 403 problem that carries Clerk's error; a key is not asked", async () => {
    const fresh = await sessionVerified(0);
    const id = await createProject(fresh);
    const stale = await deleteThroughApi(id, await sessionVerified(15));
    expect(stale.status).toBe(403);
    expect(stale.headers.get("content-type")).toBe("application/problem+json");
    expect(await stale.json()).toMatchObject({
      type: "/problems/forbidden",
      status: 403,
      reverification: "strict",
      ...REVERIFICATION_ERROR,
    });

    const key = await clerk.apiKeys.create({
      name: unique("writer"),
      subject: org.id,
      scopes: ["projects:read", "projects:write"],
    });
    expect((await deleteThroughApi(id, key.secret as string)).status).toBe(204);
    const other = await createProject(fresh);
    expect((await deleteThroughApi(other, fresh)).status).toBe(204);
  });

  it("disconnects a third-party application for any session, and reconnects it only for a freshly verified one", async () => {
    const application = await clerk.oauthApplications.create({
      name: unique("Assistant"),
      scopes: "projects:read",
    });
    const minted = await emulatorRequest(emulator.url, "POST", "/__emulator/oauth_access_tokens", {
      user_id: admin,
      oauth_application_id: application.id,
      // The user's personal workspace: no membership for the app's database to know of.
      organization_id: null,
      scopes: ["projects:read"],
    });
    const appToken = minted.body.access_token as string;
    const me = () =>
      fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${appToken}` } });
    // The application acts once: the app now knows it as connected.
    const first = await me();
    expect(first.status, await first.text()).toBe(200);
    const set = (disconnected: boolean, token: string) =>
      action(
        "src/app/settings/connected-apps/actions.ts",
        "setAppConnectionAction",
        [application.clientId, disconnected],
        token,
        "/settings/connected-apps",
      );

    const stale = await sessionVerified(20);
    expect(await set(true, stale)).toMatchObject({ ok: true });
    expect((await me()).status).toBe(401);
    expect(await set(false, stale)).toEqual(REVERIFICATION_ERROR);
    expect((await me()).status).toBe(401);
    expect(await set(false, await sessionVerified(2))).toMatchObject({ ok: true });
    expect((await me()).status).toBe(200);
  });
});
