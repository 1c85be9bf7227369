import { randomBytes } from "node:crypto";
import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import { randomBase62 } from "../store/ids";
import type { M2MTokenRecord, MachineRecord, Metadata } from "../store/records";
import { type M2MJwtClaims, mintM2MJwt, verifyM2MJwt } from "../tokens/m2m-token";

// Clerk's machine-to-machine tokens. A machine creates them with its own secret key; each carries
// the machine's scopes at that moment (the machines it may be presented to), so a later change of
// scopes affects new tokens only. Opaque tokens (`mt_...`) are stored, verified by Clerk, and can
// be revoked; JWT-format ones are signed with the instance key, verified by whoever receives them
// without asking Clerk, and are neither stored nor revocable.

export type TokenFormat = "opaque" | "jwt";

// What the Backend API says about a token, stored or not.
export type M2MTokenView = Omit<M2MTokenRecord, "token"> & { token?: string };

// Who called an M2M endpoint: the instance (its secret key) or one machine (its own).
export type M2MCaller = { kind: "instance" } | { kind: "machine"; machine: MachineRecord };

export type CreateM2MTokenInput = {
  format: TokenFormat;
  secondsUntilExpiration: number | null;
  claims: Metadata | null;
  minRemainingTtlSeconds?: number | undefined;
};

const newTokenId = () => `mt_${randomBytes(16).toString("hex")}`;

export function isUsableToken(t: { revoked: boolean; expiration: number | null }, now: number) {
  return !t.revoked && (t.expiration === null || t.expiration > now);
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function createM2MToken(
  core: Core,
  machine: MachineRecord,
  input: CreateM2MTokenInput,
): Promise<M2MTokenView & { token: string }> {
  const now = core.now();
  const lifetime = input.secondsUntilExpiration ?? machine.defaultTokenTtl;
  const scopes = machine.scopedMachines.map((s) => s.id);
  const minRemaining = input.minRemainingTtlSeconds;
  if (minRemaining !== undefined) {
    if (minRemaining >= lifetime) {
      throw errors.paramInvalid(
        "min_remaining_ttl_seconds",
        "must be less than the token's lifetime",
        400,
      );
    }
    // Reuse: a live opaque token of this machine with the same claims and scopes and at least
    // that much life left is handed out again instead of minting one more.
    if (input.format === "opaque") {
      const reusable = core.store
        .lookup("m2mTokens", "subject", machine.id)
        .find(
          (t) =>
            isUsableToken(t, now) &&
            (t.expiration === null || t.expiration - now >= minRemaining * 1000) &&
            sameJson(t.claims, input.claims) &&
            sameJson(t.scopes, scopes),
        );
      if (reusable) return reusable;
    }
  }
  const base = {
    id: newTokenId(),
    subject: machine.id,
    scopes,
    claims: input.claims,
    revoked: false,
    revocationReason: null,
    expiration: now + lifetime * 1000,
    lastUsedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  if (input.format === "jwt") {
    return { ...base, token: await mintM2MJwt(core, base, lifetime) };
  }
  return core.store.put("m2mTokens", { ...base, token: `mt_${randomBase62(32)}` });
}

function tokenOf(core: Core, id: string, caller: M2MCaller): M2MTokenRecord {
  const token = core.store.state.m2mTokens[id];
  // A machine sees only its own tokens; another machine's are as good as missing.
  if (!token || (caller.kind === "machine" && token.subject !== caller.machine.id)) {
    throw errors.m2mTokenNotFound();
  }
  return token;
}

export function revokeM2MToken(
  core: Core,
  id: string,
  caller: M2MCaller,
  reason: string | null,
): M2MTokenRecord {
  const token = tokenOf(core, id, caller);
  if (!token.revoked) {
    token.revoked = true;
    token.revocationReason = reason;
    token.updatedAt = Math.max(core.now(), token.updatedAt + 1);
    core.store.save();
  }
  return token;
}

export function listM2MTokens(
  core: Core,
  subject: string,
  caller: M2MCaller,
  include: { revoked: boolean; expired: boolean },
): M2MTokenRecord[] {
  if (caller.kind === "machine" && caller.machine.id !== subject) {
    throw errors.notAllowed("A machine secret key can only list its own machine's tokens.");
  }
  const now = core.now();
  return core.store
    .lookup("m2mTokens", "subject", subject)
    .filter((t) => include.revoked || !t.revoked)
    .filter((t) => include.expired || t.expiration === null || t.expiration > now)
    .sort((a, b) => b.createdAt - a.createdAt);
}

// Clerk's verify is the gate for opaque tokens (the SDK trusts its answer): unknown, revoked and
// expired tokens are "not found", and so is a token presented to a machine it names no scope for.
// The instance secret may verify any token of the instance.
export async function verifyM2MToken(
  core: Core,
  token: string,
  caller: M2MCaller,
): Promise<M2MTokenView> {
  const now = core.now();
  let found: M2MTokenView | undefined;
  if (token.startsWith("mt_")) {
    const [stored] = core.store.lookup("m2mTokens", "token", token);
    if (stored && isUsableToken(stored, now)) {
      stored.lastUsedAt = now;
      core.store.saveLazily();
      found = stored;
    }
  } else {
    found = fromClaims(await verifyM2MJwt(core, token));
  }
  if (!found) throw errors.m2mTokenNotFound();
  if (caller.kind === "machine" && !found.scopes.includes(caller.machine.id)) {
    throw errors.m2mTokenNotFound();
  }
  return found;
}

function fromClaims(claims: M2MJwtClaims | null): M2MTokenView | undefined {
  if (!claims) return undefined;
  const { iss, sub, exp, nbf, iat, jti, aud, scopes, ...custom } = claims;
  return {
    id: jti,
    subject: sub,
    scopes: aud ?? [],
    claims: Object.keys(custom).length > 0 ? custom : null,
    revoked: false,
    revocationReason: null,
    expiration: exp * 1000,
    lastUsedAt: null,
    createdAt: iat * 1000,
    updatedAt: iat * 1000,
  };
}
