// The one place that defines organization roles and what they may do. Membership JSON (which the
// UI reads) and session tokens (which the server reads) are both derived from ROLES, so the two
// can never disagree.

// Clerk's system permissions: never put in tokens, only listed on memberships.
export const SYSTEM_PERMISSIONS = [
  "org:sys_profile:manage",
  "org:sys_profile:delete",
  "org:sys_memberships:read",
  "org:sys_memberships:manage",
  "org:sys_domains:read",
  "org:sys_domains:manage",
  "org:sys_billing:read",
  "org:sys_billing:manage",
  "org:sys_api_keys:read",
  "org:sys_api_keys:manage",
] as const;

// This app's custom permissions, feature "projects".
export const CUSTOM_PERMISSIONS = ["org:projects:read", "org:projects:manage"] as const;

export type RoleDefinition = {
  key: string;
  name: string;
  description: string;
  permissions: readonly string[];
};

export const ROLES: Record<string, RoleDefinition> = {
  "org:admin": {
    key: "org:admin",
    name: "Admin",
    description: "Can manage the organization, its members, its API keys and its projects.",
    permissions: [...SYSTEM_PERMISSIONS, ...CUSTOM_PERMISSIONS],
  },
  "org:member": {
    key: "org:member",
    name: "Member",
    description: "Can read the organization's members and projects.",
    permissions: ["org:sys_memberships:read", "org:projects:read"],
  },
};

export const DEFAULT_ROLE = "org:member";
export const CREATOR_ROLE = "org:admin";

export function isRole(role: string): boolean {
  return Object.hasOwn(ROLES, role);
}

export function permissionsOf(role: string): readonly string[] {
  return ROLES[role]?.permissions ?? [];
}

const isSystem = (permission: string) => permission.startsWith("org:sys_");

function splitPermission(permission: string): { feature: string; action: string } {
  const [, feature = "", action = ""] = permission.split(":");
  return { feature, action };
}

// Every custom feature and action the instance knows, in a fixed order: tokens index into these.
const CUSTOM = Object.values(ROLES)
  .flatMap((r) => r.permissions)
  .filter((p) => !isSystem(p))
  .map(splitPermission);
const FEATURES = [...new Set(CUSTOM.map((p) => p.feature))];
const ACTIONS = [...new Set(CUSTOM.map((p) => p.action))];

export type TokenPermissionClaims = { fea: string; per: string; fpm: string };

// Session token v2 encoding, as @clerk/shared's jwtPayloadParser reads it: `fea` lists the org
// features ("o:projects"), `per` the action names, and `fpm` one decimal bitmask per feature in
// which bit i (least significant first) grants action i of `per`.
export function tokenPermissionClaims(role: string): TokenPermissionClaims | null {
  const custom = permissionsOf(role)
    .filter((p) => !isSystem(p))
    .map(splitPermission);
  if (custom.length === 0) return null;
  const masks = FEATURES.map((feature) =>
    custom
      .filter((p) => p.feature === feature)
      .reduce((mask, p) => mask | (1 << ACTIONS.indexOf(p.action)), 0),
  );
  return {
    fea: FEATURES.map((f) => `o:${f}`).join(","),
    per: ACTIONS.join(","),
    fpm: masks.join(","),
  };
}
