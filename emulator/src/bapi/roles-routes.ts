import { z } from "zod";
import { isSystemPermission, PERMISSION_KEY, ROLE_KEY } from "../../../clerk/organization-roles";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import {
  assignPermission,
  createPermission,
  createRole,
  deletePermission,
  deleteRole,
  getPermission,
  getRole,
  removePermission,
  roleRecordJSON,
  updatePermission,
  updateRole,
} from "../domain/roles";
import type { Router } from "../http/router";
import { permissionJSON } from "../json/bapi-json";
import { ctxOf, json, paginate, sortBy } from "./shared";

const name = z.string().trim().min(1).max(256);
const roleKey = z
  .string()
  .regex(ROLE_KEY, 'must start with "org:" followed by lowercase letters, digits or underscores');
const permissionKey = z
  .string()
  .regex(
    PERMISSION_KEY,
    'must look like "org:<feature>:<action>" (lowercase letters, digits, underscores)',
  )
  .refine((key) => !isSystemPermission(key), '"org:sys_" is reserved for system permissions');
const description = z.string().max(1000);
// The SDK sends what its caller gave, null included; null means "leave as it is".
const unlessNull = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => v ?? undefined);

const CreateRoleBody = z
  .object({
    name,
    key: roleKey,
    description: description.nullish(),
    permissions: z.array(z.string()).max(100).nullish(),
    // Role sets are not emulated: every role is offered to every organization.
    include_in_initial_role_set: z.boolean().nullish(),
  })
  .strict();

const UpdateRoleBody = z
  .object({
    name: unlessNull(name),
    key: unlessNull(roleKey),
    description: unlessNull(description),
    permissions: unlessNull(z.array(z.string()).max(100)),
  })
  .strict();

const CreatePermissionBody = z
  .object({ name, key: permissionKey, description: description.optional() })
  .strict();

const UpdatePermissionBody = z
  .object({
    name: unlessNull(name),
    key: unlessNull(permissionKey),
    description: unlessNull(description),
  })
  .strict();

// `query` matches an id exactly, a name or key in part; `order_by` one of created_at, name, key.
function listed<T extends { id: string; key: string; name: string; createdAt: number }>(
  items: T[],
  q: URLSearchParams,
) {
  const text = q.get("query")?.toLowerCase();
  const matching = items.filter(
    (item) =>
      !text ||
      item.id === q.get("query") ||
      item.name.toLowerCase().includes(text) ||
      item.key.toLowerCase().includes(text),
  );
  const sorted = sortBy(matching, q.get("order_by"), "-created_at", {
    created_at: (item) => item.createdAt,
    name: (item) => item.name.toLowerCase(),
    key: (item) => item.key,
  });
  return paginate(sorted, q);
}

export function registerRoleRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/organization_roles", (req) => {
      const page = listed(Object.values(core.store.state.roles), req.query);
      return json({
        data: page.items.map((role) => roleRecordJSON(core, role)),
        total_count: page.totalCount,
      });
    })
    .add("POST", "/v1/organization_roles", (req) => {
      const body = parseParams(CreateRoleBody, req.body);
      const role = createRole(ctxOf(core, req), {
        key: body.key,
        name: body.name,
        description: body.description ?? null,
        permissionIds: body.permissions ?? [],
      });
      return json(roleRecordJSON(core, role));
    })
    .add("GET", "/v1/organization_roles/:id", (_req, p) =>
      json(roleRecordJSON(core, getRole(core, p.id as string))),
    )
    .add("PATCH", "/v1/organization_roles/:id", (req, p) => {
      const body = parseParams(UpdateRoleBody, req.body);
      const role = updateRole(ctxOf(core, req), p.id as string, {
        key: body.key,
        name: body.name,
        description: body.description,
        permissionIds: body.permissions,
      });
      return json(roleRecordJSON(core, role));
    })
    .add("DELETE", "/v1/organization_roles/:id", (req, p) =>
      json(deleteRole(ctxOf(core, req), p.id as string)),
    )
    .add("POST", "/v1/organization_roles/:id/permissions/:permissionId", (req, p) => {
      const role = assignPermission(ctxOf(core, req), p.id as string, p.permissionId as string);
      return json(roleRecordJSON(core, role));
    })
    .add("DELETE", "/v1/organization_roles/:id/permissions/:permissionId", (req, p) => {
      const role = removePermission(ctxOf(core, req), p.id as string, p.permissionId as string);
      return json(roleRecordJSON(core, role));
    })
    .add("GET", "/v1/organization_permissions", (req) => {
      const page = listed(Object.values(core.store.state.permissions), req.query);
      return json({ data: page.items.map(permissionJSON), total_count: page.totalCount });
    })
    .add("POST", "/v1/organization_permissions", (req) => {
      const body = parseParams(CreatePermissionBody, req.body);
      const permission = createPermission(ctxOf(core, req), {
        key: body.key,
        name: body.name,
        description: body.description ?? "",
      });
      return json(permissionJSON(permission));
    })
    .add("GET", "/v1/organization_permissions/:id", (_req, p) =>
      json(permissionJSON(getPermission(core, p.id as string))),
    )
    .add("PATCH", "/v1/organization_permissions/:id", (req, p) => {
      const body = parseParams(UpdatePermissionBody, req.body);
      return json(permissionJSON(updatePermission(ctxOf(core, req), p.id as string, body)));
    })
    .add("DELETE", "/v1/organization_permissions/:id", (req, p) =>
      json(deletePermission(ctxOf(core, req), p.id as string)),
    );
}
