import {
  CREATOR_PERMISSIONS,
  CREATOR_ROLE,
  DEFAULT_ROLE,
  type OrganizationRolesDeclaration,
  SYSTEM_PERMISSIONS,
} from "../../../clerk/organization-roles";
import type { Core, Ctx } from "../core";
import { errors } from "../http/clerk-errors";
import { deletedJSON, permissionJSON, roleJSON } from "../json/bapi-json";
import { newId } from "../store/ids";
import type { PermissionRecord, RoleRecord } from "../store/records";
import { invitationStatus } from "./invitations";

// The instance's organization roles and permissions. A fresh instance gets them from
// clerk/organization-roles.json; after that they live in the state, where the Backend API changes
// them. Memberships and invitations name a role by key; what the role may do is looked up on
// every read, so tokens and membership JSON always carry its current permissions.

export function seedOrganizationRoles(core: Core, declaration: OrganizationRolesDeclaration) {
  const { state } = core.store;
  if (Object.keys(state.roles).length > 0) return;
  const now = core.now();
  const idByKey = new Map<string, string>();
  const permissions = [
    ...SYSTEM_PERMISSIONS.map((p) => ({ ...p, type: "system" as const })),
    ...declaration.permissions.map((p) => ({ ...p, type: "user" as const })),
  ];
  for (const p of permissions) {
    const id = newId("perm");
    state.permissions[id] = { id, ...p, createdAt: now, updatedAt: now };
    idByKey.set(p.key, id);
  }
  for (const r of declaration.roles) {
    const id = newId("role");
    state.roles[id] = {
      id,
      key: r.key,
      name: r.name,
      description: r.description,
      permissionIds: r.permissions.map((key) => idByKey.get(key) as string),
      createdAt: now,
      updatedAt: now,
    };
  }
  core.store.save();
}

export function findRoleByKey(core: Core, key: string): RoleRecord | undefined {
  return Object.values(core.store.state.roles).find((r) => r.key === key);
}

// A role named in a request (a membership's or an invitation's): Clerk answers an unknown one
// with a 404 that names the parameter.
export function roleByKey(core: Core, key: string, param = "role"): RoleRecord {
  const role = findRoleByKey(core, key);
  if (!role) throw errors.roleNotFound(param);
  return role;
}

export function getRole(core: Core, id: string): RoleRecord {
  const role = core.store.state.roles[id];
  if (!role) throw errors.roleNotFound();
  return role;
}

export function getPermission(core: Core, id: string): PermissionRecord {
  const permission = core.store.state.permissions[id];
  if (!permission) throw errors.permissionNotFound();
  return permission;
}

export function permissionsOfRole(core: Core, role: RoleRecord): PermissionRecord[] {
  return role.permissionIds
    .map((id) => core.store.state.permissions[id])
    .filter((p): p is PermissionRecord => p !== undefined);
}

// Every permission key a role grants, system ones included; none for a role that no longer exists.
export function permissionKeysOf(core: Core, roleKey: string): string[] {
  const role = findRoleByKey(core, roleKey);
  return role ? permissionsOfRole(core, role).map((p) => p.key) : [];
}

// The instance's own permissions, in a stable order: session tokens index into it.
export function customPermissionKeys(core: Core): string[] {
  return Object.values(core.store.state.permissions)
    .filter((p) => p.type === "user")
    .map((p) => p.key);
}

export function roleRecordJSON(core: Core, role: RoleRecord) {
  return roleJSON(role, permissionsOfRole(core, role));
}

function assertUniqueKey(
  records: Record<string, { id: string; key: string }>,
  key: string,
  selfId?: string,
) {
  if (Object.values(records).some((r) => r.key === key && r.id !== selfId)) {
    throw errors.identifierExists("key");
  }
}

function missingCreatorPermissions(core: Core, permissionIds: string[]): string[] {
  const keys = new Set(permissionIds.map((id) => core.store.state.permissions[id]?.key));
  return CREATOR_PERMISSIONS.filter((key) => !keys.has(key));
}

function checkedPermissionIds(core: Core, ids: string[]): string[] {
  for (const id of ids) getPermission(core, id);
  return [...new Set(ids)];
}

export type PermissionInput = { key: string; name: string; description: string };

export function createPermission(ctx: Ctx, input: PermissionInput): PermissionRecord {
  const { core } = ctx;
  assertUniqueKey(core.store.state.permissions, input.key);
  const now = core.now();
  const permission: PermissionRecord = {
    id: newId("perm"),
    ...input,
    type: "user",
    createdAt: now,
    updatedAt: now,
  };
  core.store.state.permissions[permission.id] = permission;
  core.store.save();
  core.webhooks.emit(ctx, "permission.created", permissionJSON(permission));
  return permission;
}

export function updatePermission(
  ctx: Ctx,
  id: string,
  change: Partial<PermissionInput>,
): PermissionRecord {
  const { core } = ctx;
  const permission = getPermission(core, id);
  if (permission.type === "system") throw errors.systemPermissionNotModifiable();
  if (change.key !== undefined) assertUniqueKey(core.store.state.permissions, change.key, id);
  if (change.key !== undefined) permission.key = change.key;
  if (change.name !== undefined) permission.name = change.name;
  if (change.description !== undefined) permission.description = change.description;
  permission.updatedAt = Math.max(core.now(), permission.updatedAt + 1);
  core.store.save();
  core.webhooks.emit(ctx, "permission.updated", permissionJSON(permission));
  return permission;
}

// Deleting a permission takes it away from every role that had it.
export function deletePermission(ctx: Ctx, id: string) {
  const { core } = ctx;
  const permission = getPermission(core, id);
  if (permission.type === "system") throw errors.systemPermissionNotModifiable();
  for (const role of Object.values(core.store.state.roles)) {
    role.permissionIds = role.permissionIds.filter((p) => p !== id);
  }
  delete core.store.state.permissions[id];
  core.store.save();
  const deleted = deletedJSON("permission", id);
  core.webhooks.emit(ctx, "permission.deleted", deleted);
  return deleted;
}

export type RoleInput = {
  key: string;
  name: string;
  description: string | null;
  permissionIds: string[];
};

export function createRole(ctx: Ctx, input: RoleInput): RoleRecord {
  const { core } = ctx;
  assertUniqueKey(core.store.state.roles, input.key);
  const now = core.now();
  const role: RoleRecord = {
    id: newId("role"),
    key: input.key,
    name: input.name,
    description: input.description,
    permissionIds: checkedPermissionIds(core, input.permissionIds),
    createdAt: now,
    updatedAt: now,
  };
  core.store.state.roles[role.id] = role;
  core.store.save();
  core.webhooks.emit(ctx, "role.created", roleRecordJSON(core, role));
  return role;
}

function touchRole(ctx: Ctx, role: RoleRecord): RoleRecord {
  const { core } = ctx;
  role.updatedAt = Math.max(core.now(), role.updatedAt + 1);
  core.store.save();
  core.webhooks.emit(ctx, "role.updated", roleRecordJSON(core, role));
  return role;
}

export function updateRole(ctx: Ctx, id: string, change: Partial<RoleInput>): RoleRecord {
  const { core } = ctx;
  const role = getRole(core, id);
  const permissionIds =
    change.permissionIds === undefined
      ? undefined
      : checkedPermissionIds(core, change.permissionIds);
  if (role.key === CREATOR_ROLE && permissionIds) {
    const missing = missingCreatorPermissions(core, permissionIds);
    if (missing.length > 0) throw errors.creatorRolePermissionsMissing(CREATOR_PERMISSIONS);
  }
  if (change.key !== undefined && change.key !== role.key) {
    // Clerk moves its instance settings along with a renamed creator or default role; the
    // emulator's are fixed, so those two keep their keys.
    if (role.key === CREATOR_ROLE || role.key === DEFAULT_ROLE) {
      throw errors.paramInvalid(
        "key",
        `cannot change: ${role.key} is a role the instance relies on`,
      );
    }
    assertUniqueKey(core.store.state.roles, change.key, id);
    for (const m of [
      ...Object.values(core.store.state.memberships),
      ...Object.values(core.store.state.invitations),
    ]) {
      if (m.role === role.key) m.role = change.key;
    }
    role.key = change.key;
  }
  if (change.name !== undefined) role.name = change.name;
  if (change.description !== undefined) role.description = change.description;
  if (permissionIds) role.permissionIds = permissionIds;
  return touchRole(ctx, role);
}

export function deleteRole(ctx: Ctx, id: string) {
  const { core } = ctx;
  const role = getRole(core, id);
  if (role.key === CREATOR_ROLE) throw errors.roleIsCreatorRole();
  if (role.key === DEFAULT_ROLE) throw errors.roleIsDefaultRole();
  if (Object.values(core.store.state.memberships).some((m) => m.role === role.key)) {
    throw errors.roleAssignedToMembers();
  }
  const now = core.now();
  const pending = Object.values(core.store.state.invitations).some(
    (inv) => inv.role === role.key && invitationStatus(inv, now) === "pending",
  );
  if (pending) throw errors.roleInInvitations();
  delete core.store.state.roles[id];
  core.store.save();
  const deleted = deletedJSON("role", id);
  core.webhooks.emit(ctx, "role.deleted", deleted);
  return deleted;
}

export function assignPermission(ctx: Ctx, roleId: string, permissionId: string): RoleRecord {
  const role = getRole(ctx.core, roleId);
  getPermission(ctx.core, permissionId);
  if (role.permissionIds.includes(permissionId)) throw errors.rolePermissionExists();
  role.permissionIds.push(permissionId);
  return touchRole(ctx, role);
}

export function removePermission(ctx: Ctx, roleId: string, permissionId: string): RoleRecord {
  const role = getRole(ctx.core, roleId);
  const permission = getPermission(ctx.core, permissionId);
  if (
    role.key === CREATOR_ROLE &&
    (CREATOR_PERMISSIONS as readonly string[]).includes(permission.key)
  ) {
    throw errors.creatorRolePermissionsMissing(CREATOR_PERMISSIONS);
  }
  if (!role.permissionIds.includes(permissionId)) throw errors.rolePermissionNotFound();
  role.permissionIds = role.permissionIds.filter((p) => p !== permissionId);
  return touchRole(ctx, role);
}
