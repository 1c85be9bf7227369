import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readInstanceSettings } from "../../../clerk/instance-settings";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser, type WireJson } from "../../support/fapi-browser";

// "Membership required" (clerk/instance-settings.json organizations.membership_required): a
// session without an active organization carries Clerk's `choose-organization` task and is
// pending, for clerk-js (the session's status and tasks, the environment's
// force_organization_selection) and for @clerk/backend (the token's `sts`), until it activates
// an organization.
const APP = "http://localhost:3000";
const PASSWORD = "long-enough-pw-1";
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;
const declared = readInstanceSettings();

const settingsDir = mkdtempSync(path.join(tmpdir(), "membership-required-"));

beforeAll(async () => {
  const file = path.join(settingsDir, "instance-settings.json");
  writeFileSync(
    file,
    JSON.stringify({
      ...declared,
      organizations: { ...declared.organizations, membership_required: true },
    }),
  );
  emulator = await startEmulatorProcess({
    env: { EMULATOR_AUTHORIZED_PARTY: APP, EMULATOR_INSTANCE_SETTINGS: file },
  });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
  removeDataDir(settingsDir);
});

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

// What @clerk/nextjs does for a request carrying the session token.
async function authOf(jwt: string, treatPendingAsSignedOut?: boolean) {
  const state = await clerk.authenticateRequest(
    new Request(`${APP}/api/v1/me`, { headers: { authorization: `Bearer ${jwt}` } }),
    { acceptsToken: "session_token" },
  );
  return state.toAuth(
    treatPendingAsSignedOut === undefined ? undefined : { treatPendingAsSignedOut },
  );
}

async function signIn(): Promise<{ browser: FapiBrowser; session: WireJson; userId: string }> {
  const email = `${unique("first")}@example.com`;
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  const browser = await fapiBrowser(emulator.frontendUrl, APP);
  const res = await browser.call("POST", "/v1/client/sign_ins", {
    identifier: email,
    password: PASSWORD,
  });
  expect(res.body.response.status).toBe("complete");
  return { browser, session: res.body.client.sessions[0], userId: user.id };
}

describe("the choose-organization session task", () => {
  it("makes a session without an organization pending, for clerk-js and for @clerk/backend", async () => {
    const { session } = await signIn();
    expect(session).toMatchObject({
      status: "pending",
      tasks: [{ key: "choose-organization" }],
      last_active_organization_id: null,
    });
    const jwt = session.last_active_token.jwt;
    expect(claimsOf(jwt).sts).toBe("pending");
    // Pending counts as signed out unless the caller asks otherwise, as Clerk documents.
    expect((await authOf(jwt))?.isAuthenticated).toBe(false);
    expect(await authOf(jwt, false)).toMatchObject({
      isAuthenticated: true,
      sessionStatus: "pending",
      orgId: undefined,
    });

    const browser = await fapiBrowser(emulator.frontendUrl, APP);
    const environment = await browser.call("GET", "/v1/environment");
    expect(environment.body.organization_settings.force_organization_selection).toBe(true);
  });

  it("is done once the session activates an organization, created or joined, and back when it leaves it", async () => {
    const { browser, session, userId } = await signIn();
    const q = `_clerk_session_id=${session.id}`;
    // Creating an organization (what the task's form does) makes it no active one yet...
    const created = await browser.call("POST", `/v1/organizations?${q}`, { name: "First Org" });
    expect(created.body.client.sessions[0].status).toBe("pending");
    // ... setActive({ organization }) does.
    const touched = await browser.call("POST", `/v1/client/sessions/${session.id}/touch`, {
      active_organization_id: created.body.response.id,
      intent: "select_org",
    });
    expect(touched.body.response).toMatchObject({
      status: "active",
      tasks: null,
      last_active_organization_id: created.body.response.id,
    });
    const jwt = touched.body.response.last_active_token.jwt;
    expect(claimsOf(jwt)).toMatchObject({ sts: "active", o: { id: created.body.response.id } });
    expect(await authOf(jwt)).toMatchObject({
      isAuthenticated: true,
      sessionStatus: "active",
      orgId: created.body.response.id,
    });

    // Leaving the active organization (here, being removed from it) brings the task back.
    await clerk.organizations.deleteOrganizationMembership({
      organizationId: created.body.response.id,
      userId,
    });
    const client = await browser.call("GET", "/v1/client");
    expect(client.body.response.sessions[0]).toMatchObject({
      status: "pending",
      tasks: [{ key: "choose-organization" }],
    });
  });

  it("leaves sessions active when membership is not required", async () => {
    await emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", declared);
    try {
      const { session } = await signIn();
      expect(session).toMatchObject({ status: "active", tasks: null });
      expect(claimsOf(session.last_active_token.jwt).sts).toBe("active");
    } finally {
      await emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", {
        ...declared,
        organizations: { ...declared.organizations, membership_required: true },
      });
    }
  });
});
