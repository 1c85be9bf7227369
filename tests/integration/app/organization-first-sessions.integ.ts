import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readInstanceSettings } from "../../../clerk/instance-settings";
import { type AppProcess, startApp } from "../../support/app-process";
import { clerkFor, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// "Membership required" (clerk/instance-settings.json organizations.membership_required) on its
// own emulator and app: a session without an organization is pending (Clerk's choose-organization
// task), which the app treats as signed out everywhere but on onboarding, the task's page.
let emulator: EmulatorProcess;
let app: AppProcess;
let clerk: ReturnType<typeof clerkFor>;
const settingsDir = mkdtempSync(path.join(tmpdir(), "membership-required-"));

beforeAll(async () => {
  const declared = readInstanceSettings();
  const file = path.join(settingsDir, "instance-settings.json");
  writeFileSync(
    file,
    JSON.stringify({
      ...declared,
      organizations: { ...declared.organizations, membership_required: true },
    }),
  );
  emulator = await startEmulatorProcess({ env: { EMULATOR_INSTANCE_SETTINGS: file } });
  clerk = clerkFor(emulator.url);
  app = await startApp({ emulator, databaseUrl: inject("databaseUrl") });
});
afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  removeDataDir(settingsDir);
});

async function pendingSession() {
  const user = await clerk.users.createUser({ emailAddress: [`${unique("first")}@example.com`] });
  const { token } = await mintSession(emulator.url, { user_id: user.id });
  return { userId: user.id, token };
}

const get = (pathname: string, token: string) =>
  fetch(`${app.url}${pathname}`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/html" },
    redirect: "manual",
  });

describe("a pending session (the choose-organization task)", () => {
  it("is sent to sign-in's tasks from the app's pages and refused by the API, as signed out", async () => {
    const { token } = await pendingSession();
    for (const pathname of ["/dashboard", "/settings/account"]) {
      const res = await get(pathname, token);
      expect(res.status, pathname).toBe(307);
      const location = new URL(res.headers.get("location") ?? "", app.url);
      // Clerk's redirect for a pending session: <SignIn/> sends it on to the task's page.
      expect(location.pathname, pathname).toBe("/sign-in/tasks");
      expect(location.searchParams.get("redirect_url")).toBe(`${app.url}${pathname}`);
    }
    const api = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(401);
  });

  it("gets Clerk's <TaskChooseOrganization/> on onboarding, and the header offers no sign-in", async () => {
    const { token } = await pendingSession();
    const res = await get("/onboarding", token);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Join one or create one to continue.");
    expect(html).not.toContain(">Sign in</a>");
  });

  it("works as any session once it has an active organization", async () => {
    const { userId } = await pendingSession();
    const org = await clerk.organizations.createOrganization({ name: "Chosen", createdBy: userId });
    const { token } = await mintSession(emulator.url, {
      user_id: userId,
      organization_id: org.id,
    });
    const dashboard = await get(`/orgs/${org.slug}`, token);
    expect(dashboard.status).toBe(200);
    const onboarding = await get("/onboarding", token);
    expect(onboarding.status).toBe(307);
    expect(onboarding.headers.get("location")).toBe(`/orgs/${org.slug}`);
    const api = await fetch(`${app.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await api.json()).toMatchObject({ org_id: org.id });
  });
});
