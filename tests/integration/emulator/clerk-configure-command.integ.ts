import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BILLING_PLANS } from "../../../clerk/billing-plans";
import { readInstanceSettings } from "../../../clerk/instance-settings";
import { readOrganizationRoles } from "../../../clerk/organization-roles";
import { freePort } from "../../support/app-process";
import { clerkFor, emulatorRequest } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
} from "../../support/emulator-process";
import { runScript, type ScriptRun } from "../../support/run-script";

// `npm run clerk:configure` against a fresh emulator, the way an operator runs it against Clerk.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

// `env` replaces the Clerk variables: `{ EMULATOR_PORT }` alone is a developer without keys.
function configure(
  args: string[] = [],
  secretKey = TEST_SECRET_KEY,
  apiUrl = emulator.url,
  env: Record<string, string> = { CLERK_SECRET_KEY: secretKey, CLERK_API_URL: apiUrl },
): Promise<ScriptRun> {
  return runScript("clerk-configure", args, {
    NODE_ENV: "production",
    CLERK_TELEMETRY_DISABLED: "1",
    ...env,
  });
}

async function roles() {
  const { data } = await clerk.organizationRoles.getOrganizationRoleList({ limit: 100 });
  return new Map(data.map((r) => [r.key, r]));
}

async function permissions() {
  const { data } = await clerk.organizationPermissions.getOrganizationPermissionList({
    limit: 100,
  });
  return new Map(data.map((p) => [p.key, p]));
}

const declared = readOrganizationRoles();
const NOTHING =
  "clerk:configure done: nothing to change, the instance matches clerk/organization-roles.json";

describe("npm run clerk:configure", () => {
  it("finds nothing to change on an instance seeded from the same file", async () => {
    const run = await configure();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(
      `clerk:configure clerk/organization-roles.json onto ${emulator.url}`,
    );
    expect(run.output).toContain(NOTHING);
  });

  it("restores a deleted role; --dry-run before only prints the plan; a second run changes nothing", async () => {
    const viewer = (await roles()).get("org:viewer");
    if (!viewer) throw new Error("no viewer role");
    await clerk.organizationRoles.deleteOrganizationRole(viewer.id);

    const dry = await configure(["--dry-run"]);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain("(dry run)");
    expect(dry.output).toContain(
      "would create role org:viewer (Viewer): org:sys_memberships:read, org:projects:read",
    );
    expect(dry.output).toContain("clerk:configure dry run: 1 change(s) planned, nothing changed");
    expect((await roles()).has("org:viewer")).toBe(false);

    const run = await configure();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("created role org:viewer (Viewer)");
    expect(run.output).toContain("clerk:configure done: 1 change(s) applied");
    const restored = (await roles()).get("org:viewer");
    expect(restored?.name).toBe("Viewer");
    expect(restored?.permissions.map((p) => p.key)).toEqual(
      declared.roles.find((r) => r.key === "org:viewer")?.permissions,
    );

    const again = await configure();
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(NOTHING);
  });

  it("updates what differs, recreates a deleted permission and reports what the file does not declare", async () => {
    const before = await roles();
    const admin = before.get("org:admin");
    const member = before.get("org:member");
    const audit = (await permissions()).get("org:audit:read");
    const read = (await permissions()).get("org:projects:read");
    if (!admin || !member || !audit || !read) throw new Error("seeded roles missing");
    await clerk.organizationRoles.updateOrganizationRole({
      organizationRoleId: member.id,
      name: "Teammate",
      description: "Changed by hand.",
    });
    // Deleting the permission also takes it from the admin role.
    await clerk.organizationPermissions.deleteOrganizationPermission(audit.id);
    await clerk.organizationPermissions.updateOrganizationPermission({
      permissionId: read.id,
      name: "See projects",
    });
    const extraPermission = await clerk.organizationPermissions.createOrganizationPermission({
      name: "Extra",
      key: "org:extra:use",
    });
    await clerk.organizationRoles.createOrganizationRole({
      name: "Extra",
      key: "org:extra",
      permissions: [extraPermission.id],
    });

    const run = await configure();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(
      'updated permission org:projects:read: name "See projects" -> "Read projects"',
    );
    expect(run.output).toContain("created permission org:audit:read (Read the audit log)");
    expect(run.output).toContain("updated role org:admin: +org:audit:read");
    expect(run.output).toContain(
      'updated role org:member: name "Teammate" -> "Member", description',
    );
    expect(run.output).toContain(
      "not in clerk/organization-roles.json, left as is: role org:extra, permission org:extra:use",
    );
    expect(run.output).toContain("clerk:configure done: 4 change(s) applied");

    const after = await roles();
    expect(after.get("org:member")).toMatchObject({
      name: "Member",
      description: declared.roles.find((r) => r.key === "org:member")?.description,
    });
    expect(after.get("org:admin")?.permissions.map((p) => p.key)).toContain("org:audit:read");
    expect(after.has("org:extra")).toBe(true);
    expect((await permissions()).get("org:projects:read")?.name).toBe("Read projects");

    const again = await configure();
    expect(again.output).toContain(NOTHING);
    expect(again.output).toContain("left as is: role org:extra, permission org:extra:use");
  });

  it("applies clerk/instance-settings.json to the emulator (--dry-run changes nothing) and names what it does not emulate", async () => {
    const file = readInstanceSettings();
    const changed = structuredClone(file);
    changed.first_factors.email_code = false;
    await emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", changed);
    const settings = async () =>
      (await emulatorRequest(emulator.url, "GET", "/__emulator/instance_settings")).body;

    const dry = await configure(["--dry-run"]);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain(
      `clerk:configure clerk/instance-settings.json onto ${emulator.url} (dry run)`,
    );
    expect(dry.output).toContain("would apply every item of the file to the emulator");
    expect((await settings()).declared).toEqual(changed);

    const run = await configure();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(
      `clerk:configure clerk/instance-settings.json onto ${emulator.url}`,
    );
    expect(run.output).toContain("applied to the emulator");
    const now = await settings();
    expect(now.declared).toEqual(file);
    if (now.not_emulated.length > 0) {
      expect(run.output).toContain(
        `on in the file, not emulated yet, so off: ${now.not_emulated.join(", ")}`,
      );
    }
  });

  it("fails with Clerk's message when the instance refuses the secret key", async () => {
    const run = await configure([], "sk_test_not_this_instance");
    expect(run.code).toBe(1);
    expect(run.output).toContain("clerk:configure failed:");
    expect(run.output).toContain("not authorized");
  });

  it("says to start `npm run dev` (or set CLERK_SECRET_KEY) when no emulator answers", async () => {
    const port = String(await freePort());
    const run = await configure([], "", "", { EMULATOR_PORT: port });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`no Clerk emulator answers at http://127.0.0.1:${port}.`);
    expect(run.output).toContain("Is `npm run dev` running?");
    expect(run.output).toContain("set CLERK_SECRET_KEY");
    const help = await configure(["--help"]);
    expect(help).toMatchObject({ code: 0, output: expect.stringContaining("--dry-run") });
  });

  it("refuses an unknown argument before touching the instance", async () => {
    const run = await configure(["--force"]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("unknown argument --force (usage: clerk:configure [--dry-run])");
  });

  it("prints the Dashboard steps for plans the instance lacks or prices differently, and exits with 2", async () => {
    const [free, team] = BILLING_PLANS.organization_plans;
    const folder = mkdtempSync(path.join(tmpdir(), "plans-"));
    const file = path.join(folder, "plans.json");
    // An instance whose Team plan is cheaper and which has no Business plan.
    writeFileSync(
      file,
      JSON.stringify({
        ...BILLING_PLANS,
        organization_plans: [free, { ...team, monthly_fee: 2500 }],
      }),
    );
    const other = await startEmulatorProcess({ env: { EMULATOR_BILLING_PLANS: file } });
    try {
      const run = await configure([], TEST_SECRET_KEY, other.url);
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain("billing: the Backend API cannot create plans");
      expect(run.output).toContain(
        "change plan team (monthly fee) to Team (slug team): $29.00/month",
      );
      expect(run.output).toContain("create plan Business (slug business): $99.00/month");
    } finally {
      await other.stop();
      removeDataDir(other.dataDir);
      removeDataDir(folder);
    }
  });
});
