import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyToken } from "@clerk/backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOrganizationRoles } from "../../../clerk/organization-roles";
import { clerkFor, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Organization roles and permissions through the real @clerk/backend (organizationRoles,
// organizationPermissions); every answer is held to the BAPI spec by contract-setup.ts.
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({ env: { EMULATOR_WEBHOOK_URL: receiver.url } });
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

const declared = readOrganizationRoles();

async function roleByKey(key: string) {
  const { data } = await clerk.organizationRoles.getOrganizationRoleList({
    query: key,
    limit: 100,
  });
  const role = data.find((r) => r.key === key);
  if (!role) throw new Error(`no role ${key}`);
  return role;
}

async function permissionByKey(key: string) {
  const { data } = await clerk.organizationPermissions.getOrganizationPermissionList({
    query: key,
    limit: 100,
  });
  const permission = data.find((p) => p.key === key);
  if (!permission) throw new Error(`no permission ${key}`);
  return permission;
}

// What a member of `role` gets: the session token's organization permissions (as auth() decodes
// them) and the membership's permission list.
async function grantedTo(role: string) {
  const owner = await clerk.users.createUser({ emailAddress: [`${unique("owner")}@example.com`] });
  const user = await clerk.users.createUser({ emailAddress: [`${unique("holder")}@example.com`] });
  const org = await clerk.organizations.createOrganization({ name: "Roles", createdBy: owner.id });
  const membership = await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: user.id,
    role,
  });
  const { token } = await mintSession(emulator.url, { user_id: user.id, organization_id: org.id });
  const claims = await verifyToken(token, { secretKey: TEST_SECRET_KEY, apiUrl: emulator.url });
  return { token: claims, membership, org, user };
}

async function tokenPermissions(userId: string, orgId: string) {
  const { token } = await mintSession(emulator.url, { user_id: userId, organization_id: orgId });
  const claims = await verifyToken(token, { secretKey: TEST_SECRET_KEY, apiUrl: emulator.url });
  return claims;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (err: { status: number; errors: { code: string; meta?: { paramName?: string } }[] }) => ({
      status: err.status,
      code: err.errors[0]?.code,
      param: err.errors[0]?.meta?.paramName,
    }),
  );

describe("Backend API: organization roles and permissions", () => {
  it("start as clerk/organization-roles.json declares them, Clerk's system permissions included", async () => {
    const roles = await clerk.organizationRoles.getOrganizationRoleList({ limit: 100 });
    expect(roles.data.map((r) => r.key).sort()).toEqual(declared.roles.map((r) => r.key).sort());
    for (const role of declared.roles) {
      const served = roles.data.find((r) => r.key === role.key);
      expect(served?.name).toBe(role.name);
      expect(served?.description).toBe(role.description);
      expect(served?.permissions.map((p) => p.key)).toEqual(role.permissions);
    }
    const viewer = await clerk.organizationRoles.getOrganizationRole(
      (await roleByKey("org:viewer")).id,
    );
    expect(viewer).toMatchObject({ name: "Viewer", isCreatorEligible: false });
    expect((await roleByKey("org:admin")).isCreatorEligible).toBe(true);

    const permissions = await clerk.organizationPermissions.getOrganizationPermissionList({
      limit: 100,
    });
    const keys = permissions.data.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(["org:audit:read", "org:sys_memberships:manage"]));
    const audit = await permissionByKey("org:audit:read");
    expect(await clerk.organizationPermissions.getOrganizationPermission(audit.id)).toMatchObject({
      key: "org:audit:read",
      name: "Read the audit log",
    });
  });

  it("gives a viewer's token and membership only what the viewer role holds", async () => {
    const { token, membership } = await grantedTo("org:viewer");
    expect(token.o).toMatchObject({ rol: "viewer" });
    expect(membership.role).toBe("org:viewer");
    expect(membership.permissions).toEqual(["org:sys_memberships:read", "org:projects:read"]);
  });

  it("creates a permission and a role with it; members of the role carry it at once", async () => {
    const feature = unique("reports").replaceAll("-", "_").toLowerCase();
    const permission = await clerk.organizationPermissions.createOrganizationPermission({
      name: "Export reports",
      key: `org:${feature}:export`,
      description: "Download the organization's reports.",
    });
    expect(permission).toMatchObject({ key: `org:${feature}:export`, name: "Export reports" });
    const read = await permissionByKey("org:projects:read");
    const role = await clerk.organizationRoles.createOrganizationRole({
      name: "Analyst",
      key: `org:analyst_${feature}`,
      description: "Reads projects and exports reports.",
      permissions: [read.id, permission.id],
      includeInInitialRoleSet: true,
    });
    expect(role.permissions.map((p) => p.key)).toEqual(["org:projects:read", permission.key]);

    const { token, membership, org, user } = await grantedTo(role.key);
    expect(membership.permissions).toEqual(["org:projects:read", permission.key]);
    const { __experimental_JWTPayloadToAuthObjectProperties: parse } = await import(
      "@clerk/shared/jwtPayloadParser"
    );
    expect([...(parse(token).orgPermissions ?? [])].sort()).toEqual(
      ["org:projects:read", permission.key].sort(),
    );

    // Assigning and removing changes what the next token carries.
    const manage = await permissionByKey("org:projects:manage");
    const assigned = await clerk.organizationRoles.assignPermissionToOrganizationRole({
      organizationRoleId: role.id,
      permissionId: manage.id,
    });
    expect(assigned.permissions.map((p) => p.key)).toContain("org:projects:manage");
    expect(parse(await tokenPermissions(user.id, org.id)).orgPermissions).toContain(
      "org:projects:manage",
    );
    const removed = await clerk.organizationRoles.removePermissionFromOrganizationRole({
      organizationRoleId: role.id,
      permissionId: permission.id,
    });
    expect(removed.permissions.map((p) => p.key)).toEqual([
      "org:projects:read",
      "org:projects:manage",
    ]);
    expect(parse(await tokenPermissions(user.id, org.id)).orgPermissions).not.toContain(
      permission.key,
    );
  });

  it("updates a role's name, description and permission set, and a permission's name", async () => {
    const key = `org:${unique("editor").replaceAll("-", "_").toLowerCase()}`;
    const role = await clerk.organizationRoles.createOrganizationRole({ name: "Editor", key });
    expect(role.permissions).toEqual([]);
    expect(role.description).toBeNull();
    const read = await permissionByKey("org:projects:read");
    const updated = await clerk.organizationRoles.updateOrganizationRole({
      organizationRoleId: role.id,
      name: "Editor in chief",
      description: "Edits everything.",
      permissions: [read.id],
    });
    expect(updated).toMatchObject({ name: "Editor in chief", description: "Edits everything." });
    expect(updated.permissions.map((p) => p.key)).toEqual(["org:projects:read"]);
    expect(updated.updatedAt).toBeGreaterThan(role.updatedAt - 1);

    const permission = await clerk.organizationPermissions.createOrganizationPermission({
      name: "Old name",
      key: `org:${unique("docs").replaceAll("-", "_").toLowerCase()}:read`,
    });
    const renamed = await clerk.organizationPermissions.updateOrganizationPermission({
      permissionId: permission.id,
      name: "New name",
      description: "Reads docs.",
    });
    expect(renamed).toMatchObject({ name: "New name", description: "Reads docs." });
  });

  it("deletes an unused role and a permission, which leaves every role that had it", async () => {
    const feature = unique("tmp").replaceAll("-", "_").toLowerCase();
    const permission = await clerk.organizationPermissions.createOrganizationPermission({
      name: "Temporary",
      key: `org:${feature}:use`,
    });
    const role = await clerk.organizationRoles.createOrganizationRole({
      name: "Temporary",
      key: `org:${feature}`,
      permissions: [permission.id],
    });
    const deletedPermission = await clerk.organizationPermissions.deleteOrganizationPermission(
      permission.id,
    );
    expect(deletedPermission).toMatchObject({ id: permission.id, deleted: true });
    expect((await clerk.organizationRoles.getOrganizationRole(role.id)).permissions).toEqual([]);
    const deletedRole = await clerk.organizationRoles.deleteOrganizationRole(role.id);
    expect(deletedRole).toMatchObject({ id: role.id, deleted: true });
    expect(await rejection(clerk.organizationRoles.getOrganizationRole(role.id))).toMatchObject({
      status: 404,
      code: "resource_not_found",
    });
  });

  it("answers Clerk's errors: taken or malformed keys, unknown ids, roles in use, system permissions", async () => {
    expect(
      await rejection(
        clerk.organizationRoles.createOrganizationRole({ name: "Again", key: "org:viewer" }),
      ),
    ).toEqual({ status: 422, code: "form_identifier_exists", param: "key" });
    expect(
      await rejection(
        clerk.organizationRoles.createOrganizationRole({ name: "Bad", key: "Viewer Two" }),
      ),
    ).toMatchObject({ status: 422, code: "form_param_format_invalid", param: "key" });
    expect(
      await rejection(
        clerk.organizationPermissions.createOrganizationPermission({
          name: "Again",
          key: "org:projects:read",
        }),
      ),
    ).toEqual({ status: 422, code: "form_identifier_exists", param: "key" });
    expect(
      await rejection(
        clerk.organizationPermissions.createOrganizationPermission({
          name: "Mine",
          key: "org:sys_things:read",
        }),
      ),
    ).toMatchObject({ status: 422, code: "form_param_format_invalid", param: "key" });
    expect(
      await rejection(
        clerk.organizationRoles.createOrganizationRole({
          name: "Ghost",
          key: `org:${unique("ghost").replaceAll("-", "_").toLowerCase()}`,
          permissions: ["perm_doesnotexist"],
        }),
      ),
    ).toMatchObject({ status: 404, code: "resource_not_found" });
    expect(
      await rejection(clerk.organizationRoles.getOrganizationRole("role_doesnotexist")),
    ).toMatchObject({ status: 404, code: "resource_not_found" });
    expect(
      await rejection(clerk.organizationPermissions.deleteOrganizationPermission("perm_nope")),
    ).toMatchObject({ status: 404, code: "resource_not_found" });

    const { membership } = await grantedTo("org:viewer");
    expect(membership.role).toBe("org:viewer");
    const viewer = await roleByKey("org:viewer");
    expect(await rejection(clerk.organizationRoles.deleteOrganizationRole(viewer.id))).toEqual({
      status: 422,
      code: "organization_role_assigned_members",
      param: undefined,
    });
    const admin = await roleByKey("org:admin");
    expect(await rejection(clerk.organizationRoles.deleteOrganizationRole(admin.id))).toMatchObject(
      {
        status: 422,
        code: "organization_role_default_creator_role",
      },
    );
    const deleteOrg = await permissionByKey("org:sys_profile:delete");
    expect(
      await rejection(
        clerk.organizationRoles.removePermissionFromOrganizationRole({
          organizationRoleId: admin.id,
          permissionId: deleteOrg.id,
        }),
      ),
    ).toMatchObject({ status: 422, code: "organization_missing_creator_role_permissions" });
    expect(
      await rejection(
        clerk.organizationPermissions.updateOrganizationPermission({
          permissionId: deleteOrg.id,
          name: "Mine now",
        }),
      ),
    ).toMatchObject({ status: 403, code: "organization_system_permission_not_modifiable" });

    const read = await permissionByKey("org:projects:read");
    expect(
      await rejection(
        clerk.organizationRoles.assignPermissionToOrganizationRole({
          organizationRoleId: viewer.id,
          permissionId: read.id,
        }),
      ),
    ).toMatchObject({ status: 409, code: "organization_role_permission_association_exists" });
    const audit = await permissionByKey("org:audit:read");
    expect(
      await rejection(
        clerk.organizationRoles.removePermissionFromOrganizationRole({
          organizationRoleId: viewer.id,
          permissionId: audit.id,
        }),
      ),
    ).toMatchObject({ status: 404, code: "organization_role_permission_association_not_found" });
    expect(
      await rejection(
        clerk.organizations.createOrganizationMembership({
          organizationId: (await grantedTo("org:member")).org.id,
          userId: (await clerk.users.createUser({ emailAddress: [`${unique("x")}@example.com`] }))
            .id,
          role: "org:owner",
        }),
      ),
    ).toEqual({ status: 404, code: "resource_not_found", param: "role" });
  });

  it("announces changes as role.* and permission.* webhooks in the webhook spec's shapes", async () => {
    const feature = unique("hooked").replaceAll("-", "_").toLowerCase();
    const permission = await clerk.organizationPermissions.createOrganizationPermission({
      name: "Hooked",
      key: `org:${feature}:read`,
    });
    const role = await clerk.organizationRoles.createOrganizationRole({
      name: "Hooked",
      key: `org:${feature}`,
      permissions: [permission.id],
    });
    await clerk.organizationRoles.updateOrganizationRole({
      organizationRoleId: role.id,
      name: "Hooked again",
    });
    await clerk.organizationRoles.deleteOrganizationRole(role.id);
    await clerk.organizationPermissions.updateOrganizationPermission({
      permissionId: permission.id,
      name: "Hooked again",
    });
    await clerk.organizationPermissions.deleteOrganizationPermission(permission.id);
    const types = [
      "permission.created",
      "role.created",
      "role.updated",
      "role.deleted",
      "permission.updated",
      "permission.deleted",
    ];
    const mine = (all: typeof receiver.deliveries) =>
      all.filter((d) =>
        [role.id, permission.id].includes(String((d.payload.data as { id?: string }).id)),
      );
    const got = await receiver.waitFor((all) => mine(all).length >= types.length);
    expect(mine(got).map((d) => d.type)).toEqual(types);
    for (const delivery of mine(got)) {
      expect(validateWebhookPayload(delivery.payload), delivery.type).toMatchObject({ ok: true });
    }
  });

  it("keeps changes across a restart: the file only seeds a fresh instance", async () => {
    const viewer = await roleByKey("org:viewer");
    await clerk.organizationRoles.updateOrganizationRole({
      organizationRoleId: viewer.id,
      description: "Changed through the Backend API.",
    });
    emulator = await emulator.restart();
    clerk = clerkFor(emulator.url);
    expect((await roleByKey("org:viewer")).description).toBe("Changed through the Backend API.");
  });
});

describe("the roles file", () => {
  it("stops the emulator with a message naming the problem when it is invalid", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bad-roles-"));
    const file = path.join(dir, "roles.json");
    writeFileSync(file, JSON.stringify({ permissions: [], roles: [{ key: "admin" }] }));
    const start = startEmulatorProcess({
      dataDir: dir,
      env: { EMULATOR_ORGANIZATION_ROLES: file },
    });
    await expect(start).rejects.toThrow(/emulator exited with 1/);
    await expect(start).rejects.toThrow(/invalid organization roles .*roles\.json/);
    await expect(start).rejects.toThrow(/roles\.0\.key: must look like "org:<role>"/);
    removeDataDir(dir);
  });
});
