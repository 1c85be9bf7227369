import { isSystemPermission } from "../../../clerk/organization-roles";

export type TokenPermissionClaims = { fea: string; per: string; fpm: string };

function splitPermission(permission: string): { feature: string; action: string } {
  const [, feature = "", action = ""] = permission.split(":");
  return { feature, action };
}

// Session token v2 encoding, as @clerk/shared's jwtPayloadParser reads it: `fea` lists the
// instance's organization features ("o:projects"), `per` their action names, and `fpm` one
// decimal bitmask per feature in which bit i (least significant first) grants action i of `per`.
// `granted` are the role's permissions, `known` every custom permission of the instance; system
// permissions are never encoded (Clerk keeps them out of tokens).
export function tokenPermissionClaims(
  granted: readonly string[],
  known: readonly string[],
): TokenPermissionClaims | null {
  const custom = granted.filter((p) => !isSystemPermission(p)).map(splitPermission);
  if (custom.length === 0) return null;
  const all = [...known, ...granted].filter((p) => !isSystemPermission(p)).map(splitPermission);
  const features = [...new Set(all.map((p) => p.feature))];
  const actions = [...new Set(all.map((p) => p.action))];
  // BigInt: an instance may define more actions than a 32-bit mask holds.
  const masks = features.map((feature) =>
    custom
      .filter((p) => p.feature === feature)
      .reduce((mask, p) => mask | (1n << BigInt(actions.indexOf(p.action))), 0n),
  );
  return {
    fea: features.map((f) => `o:${f}`).join(","),
    per: actions.join(","),
    fpm: masks.join(","),
  };
}
