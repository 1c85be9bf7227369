import declared from "../../clerk/organization-roles.json" with { type: "json" };

// The organization roles as clerk/organization-roles.json declares them (the emulator starts from
// it, `npm run clerk:configure` applies it to a real instance). Clerk keeps its system permissions
// (org:sys_*) out of session tokens, so `has()` cannot answer for them: the header uses this to
// decide which links to show. The pages themselves still ask Clerk (src/api-keys/key-owner.ts).
const permissionsByRole = new Map(declared.roles.map((r) => [r.key, new Set(r.permissions)]));

export function roleDeclaresPermission(role: string | null | undefined, permission: string) {
  return Boolean(role && permissionsByRole.get(role)?.has(permission));
}
