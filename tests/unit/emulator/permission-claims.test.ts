import { __experimental_JWTPayloadToAuthObjectProperties as parseClaims } from "@clerk/shared/jwtPayloadParser";
import type { JwtPayload } from "@clerk/shared/types";
import { describe, expect, it } from "vitest";
import { isSystemPermission, readOrganizationRoles } from "../../../clerk/organization-roles";
import { tokenPermissionClaims } from "../../../emulator/src/tokens/permission-claims";

const declaration = readOrganizationRoles();
const known = declaration.permissions.map((p) => p.key);
const declared = (key: string) => declaration.roles.find((r) => r.key === key)?.permissions ?? [];

// Decodes the emulator's token claims with the SDK's own parser, the one auth() runs.
function orgPermissionsInToken(granted: readonly string[], instance: readonly string[] = known) {
  const claims = tokenPermissionClaims(granted, instance);
  const payload = {
    sub: "user_x",
    v: 2,
    fea: claims?.fea,
    o: { id: "org_x", rol: "x", per: claims?.per, fpm: claims?.fpm },
  } as unknown as JwtPayload;
  return [...(parseClaims(payload).orgPermissions ?? [])].sort();
}

describe("session token permission claims", () => {
  it.each(declaration.roles.map((r) => r.key))(
    "%s: decode to the role's own permissions from clerk/organization-roles.json",
    (key) => {
      const custom = declared(key).filter((p) => !isSystemPermission(p));
      expect(orgPermissionsInToken(declared(key))).toEqual([...custom].sort());
    },
  );

  it("let admins manage projects and read the audit log, viewers only read projects", () => {
    expect(orgPermissionsInToken(declared("org:admin"))).toEqual([
      "org:audit:read",
      "org:projects:manage",
      "org:projects:read",
    ]);
    expect(orgPermissionsInToken(declared("org:viewer"))).toEqual(["org:projects:read"]);
  });

  it("never carry Clerk's system permissions", () => {
    expect(JSON.stringify(tokenPermissionClaims(declared("org:admin"), known))).not.toContain(
      "sys_",
    );
    expect(tokenPermissionClaims(["org:sys_memberships:read"], known)).toBeNull();
    expect(tokenPermissionClaims([], known)).toBeNull();
  });

  it("encode permissions added at run time and more actions than a 32-bit mask holds", () => {
    const many = Array.from({ length: 40 }, (_, i) => `org:reports:action_${i}`);
    const granted = ["org:projects:read", ...many.slice(30)];
    expect(orgPermissionsInToken(granted, [...known, ...many])).toEqual([...granted].sort());
  });
});
