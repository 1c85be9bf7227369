import type { Core } from "../core";
import type { M2MTokenView } from "../domain/m2m-tokens";
import type { MachineRecord } from "../store/records";

// Wire shapes of Clerk's machines and M2M tokens (Backend API), checked against
// bapi-2026-05-12.yml by the integration tests.

function machineWithoutScopes(core: Core, m: MachineRecord) {
  return {
    object: "machine",
    id: m.id,
    name: m.name,
    instance_id: core.store.state.instanceId,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    default_token_ttl: m.defaultTokenTtl,
  };
}

export function machineJSON(core: Core, m: MachineRecord) {
  const machines = core.store.state.machines;
  return {
    ...machineWithoutScopes(core, m),
    scoped_machines: m.scopedMachines
      .map((s) => machines[s.id])
      .filter((other): other is MachineRecord => other !== undefined)
      .map((other) => machineWithoutScopes(core, other)),
  };
}

export function machineSecretKeyJSON(secret: string) {
  return { object: "machine_secret_key", secret };
}

export function machineScopeJSON(fromId: string, toId: string, createdAt: number) {
  return {
    object: "machine_scope",
    from_machine_id: fromId,
    to_machine_id: toId,
    created_at: createdAt,
  };
}

// `token` only when the token is handed out (create); never in lists, verifications, revocations.
export function m2mTokenJSON(t: M2MTokenView, now: number, withToken = false) {
  return {
    object: "machine_to_machine_token",
    id: t.id,
    subject: t.subject,
    claims: t.claims,
    scopes: t.scopes,
    ...(withToken && t.token !== undefined && { token: t.token }),
    revoked: t.revoked,
    revocation_reason: t.revocationReason,
    expired: t.expiration !== null && t.expiration <= now,
    expiration: t.expiration,
    last_used_at: t.lastUsedAt,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}
