import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

// The Clerk instance's organization roles and permissions, declared once in
// organization-roles.json: the emulator seeds a fresh instance from it and `npm run
// clerk:configure` applies it to any Clerk instance. The app never reads it; it checks the
// permissions that session tokens and memberships carry.

export const ORGANIZATION_ROLES_FILE = fileURLToPath(
  new URL("./organization-roles.json", import.meta.url),
);

// Clerk's system permissions: every instance has them, none can be created, changed or deleted;
// roles may hold any of them. They are never put in session tokens.
export const SYSTEM_PERMISSIONS = [
  {
    key: "org:sys_profile:manage",
    name: "Manage organization",
    description: "Permission to manage an organization.",
  },
  {
    key: "org:sys_profile:delete",
    name: "Delete organization",
    description: "Permission to delete an organization.",
  },
  {
    key: "org:sys_memberships:read",
    name: "Read members",
    description: "Permission to read the members of an organization.",
  },
  {
    key: "org:sys_memberships:manage",
    name: "Manage members",
    description: "Permission to manage the members of an organization.",
  },
  {
    key: "org:sys_domains:read",
    name: "Read domains",
    description: "Permission to read the domains of an organization.",
  },
  {
    key: "org:sys_domains:manage",
    name: "Manage domains",
    description: "Permission to manage the domains of an organization.",
  },
  {
    key: "org:sys_billing:read",
    name: "Read billing",
    description: "Permission to read the billing of an organization.",
  },
  {
    key: "org:sys_billing:manage",
    name: "Manage billing",
    description: "Permission to manage the billing of an organization.",
  },
  {
    key: "org:sys_api_keys:read",
    name: "Read API keys",
    description: "Permission to read the API keys of an organization.",
  },
  {
    key: "org:sys_api_keys:manage",
    name: "Manage API keys",
    description: "Permission to manage the API keys of an organization.",
  },
] as const;

// Clerk's defaults: the role an organization's creator gets, and the one members get by default.
export const CREATOR_ROLE = "org:admin";
export const DEFAULT_ROLE = "org:member";
// What Clerk requires of a role before it may be the creator role.
export const CREATOR_PERMISSIONS = [
  "org:sys_memberships:manage",
  "org:sys_memberships:read",
  "org:sys_profile:delete",
] as const;

// Clerk's key formats: "org:<role>" and "org:<feature>:<action>", lowercase letters, digits and
// underscores; the "org:sys_" prefix is Clerk's own.
export const ROLE_KEY = /^org:[a-z0-9_]+$/;
export const PERMISSION_KEY = /^org:[a-z0-9_]+:[a-z0-9_]+$/;
export const isSystemPermission = (key: string) => key.startsWith("org:sys_");

const systemKeys = new Set<string>(SYSTEM_PERMISSIONS.map((p) => p.key));

const PermissionSchema = z
  .object({
    key: z
      .string()
      .regex(PERMISSION_KEY, 'must look like "org:<feature>:<action>"')
      .refine((key) => !isSystemPermission(key), 'must not start with "org:sys_" (Clerk\'s own)'),
    name: z.string().trim().min(1).max(256),
    // Clerk requires one when it creates a role.
    description: z.string().trim().min(1).max(1000),
  })
  .strict();

const RoleSchema = z
  .object({
    key: z.string().regex(ROLE_KEY, 'must look like "org:<role>"'),
    name: z.string().trim().min(1).max(256),
    // Clerk requires one when it creates a role.
    description: z.string().trim().min(1).max(1000),
    permissions: z.array(z.string()),
  })
  .strict();

const DeclarationSchema = z
  .object({ permissions: z.array(PermissionSchema), roles: z.array(RoleSchema) })
  .strict()
  .superRefine((file, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const custom = new Set<string>();
    file.permissions.forEach((p, i) => {
      if (custom.has(p.key)) issue(["permissions", i, "key"], `${p.key} is declared twice`);
      custom.add(p.key);
    });
    const roles = new Set<string>();
    file.roles.forEach((role, i) => {
      if (roles.has(role.key)) issue(["roles", i, "key"], `${role.key} is declared twice`);
      roles.add(role.key);
      role.permissions.forEach((key, j) => {
        if (!custom.has(key) && !systemKeys.has(key)) {
          issue(
            ["roles", i, "permissions", j],
            `${key} is neither declared under "permissions" nor one of Clerk's system permissions`,
          );
        }
        if (role.permissions.indexOf(key) !== j) {
          issue(["roles", i, "permissions", j], `${key} is listed twice`);
        }
      });
    });
    const creator = file.roles.find((r) => r.key === CREATOR_ROLE);
    if (!creator) {
      issue(["roles"], `must declare ${CREATOR_ROLE}, the role an organization's creator gets`);
    } else {
      const missing = CREATOR_PERMISSIONS.filter((p) => !creator.permissions.includes(p));
      if (missing.length > 0) {
        issue(
          ["roles", file.roles.indexOf(creator), "permissions"],
          `${CREATOR_ROLE} is the creator role and needs ${missing.join(", ")}`,
        );
      }
    }
    if (!roles.has(DEFAULT_ROLE)) {
      issue(["roles"], `must declare ${DEFAULT_ROLE}, the default role of new members`);
    }
  });

export type OrganizationRolesDeclaration = z.infer<typeof DeclarationSchema>;
export type DeclaredPermission = OrganizationRolesDeclaration["permissions"][number];
export type DeclaredRole = OrganizationRolesDeclaration["roles"][number];

export class OrganizationRolesFileError extends Error {}

export function readOrganizationRoles(
  file = ORGANIZATION_ROLES_FILE,
): OrganizationRolesDeclaration {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new OrganizationRolesFileError(
      `cannot read organization roles ${file}: ${(err as Error).message}`,
    );
  }
  const parsed = DeclarationSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new OrganizationRolesFileError(
      `invalid organization roles ${file}:\n${lines.join("\n")}`,
    );
  }
  return parsed.data;
}
