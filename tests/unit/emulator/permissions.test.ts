import { __experimental_JWTPayloadToAuthObjectProperties as parseClaims } from "@clerk/shared/jwtPayloadParser";
import type { JwtPayload } from "@clerk/shared/types";
import { describe, expect, it } from "vitest";
import { permissionsOf, ROLES, tokenPermissionClaims } from "../../../emulator/src/permissions";

// Decodes the emulator's token claims with the SDK's own parser, the one auth() runs.
function orgPermissionsInToken(role: string): string[] {
  const claims = tokenPermissionClaims(role);
  const payload = {
    sub: "user_x",
    v: 2,
    fea: claims?.fea,
    o: { id: "org_x", rol: role.replace(/^org:/, ""), per: claims?.per, fpm: claims?.fpm },
  } as unknown as JwtPayload;
  return [...(parseClaims(payload).orgPermissions ?? [])].sort();
}

describe("organization roles", () => {
  it.each(Object.keys(ROLES))(
    "%s: the token's permissions equal the membership's custom ones",
    (role) => {
      const custom = permissionsOf(role).filter((p) => !p.startsWith("org:sys_"));
      expect(orgPermissionsInToken(role)).toEqual([...custom].sort());
    },
  );

  it("give admins Clerk's API-key permissions, which the <APIKeys/> UI checks", () => {
    expect(permissionsOf("org:admin")).toEqual(
      expect.arrayContaining(["org:sys_api_keys:read", "org:sys_api_keys:manage"]),
    );
    expect(permissionsOf("org:member")).not.toContain("org:sys_api_keys:manage");
  });

  it("let members read projects but not manage them", () => {
    expect(orgPermissionsInToken("org:member")).toEqual(["org:projects:read"]);
    expect(orgPermissionsInToken("org:admin")).toEqual([
      "org:projects:manage",
      "org:projects:read",
    ]);
  });

  it("never put system permissions in a token", () => {
    for (const role of Object.keys(ROLES)) {
      expect(JSON.stringify(tokenPermissionClaims(role))).not.toContain("sys_");
    }
  });

  it("have no permissions for an unknown role", () => {
    expect(permissionsOf("org:owner")).toEqual([]);
    expect(tokenPermissionClaims("org:owner")).toBeNull();
  });
});
