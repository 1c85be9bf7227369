import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import { newId, randomBase62 } from "../store/ids";
import type { MachineRecord } from "../store/records";

// Clerk's machines (machine-to-machine authentication): each has a secret key, and scopes that
// name the machines it may send tokens to. Creating, changing and deleting them emits no webhook
// (Clerk's webhook catalogue has no machine events).

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
// Clerk's limit on scopes per machine.
export const MAX_SCOPES = 150;

// Machine secret keys look like API keys (`ak_...`), as Clerk's documentation shows them.
const newSecret = () => `ak_${randomBase62(40)}`;

export type CreateMachineInput = {
  name: string;
  scopedMachines?: string[] | undefined;
  defaultTokenTtl?: number | undefined;
  // Seeds may fix a secret so the development wiring can name it; the API never accepts one.
  secret?: string | undefined;
};

export function getMachine(core: Core, id: string, param?: string): MachineRecord {
  const machine = core.store.state.machines[id];
  if (!machine) throw errors.machineNotFound(param);
  return machine;
}

// The machine a secret key belongs to: its current key, or the previous one until it expires.
export function machineBySecret(core: Core, secret: string): MachineRecord | undefined {
  const [machine] = core.store.lookup("machines", "secret", secret);
  if (!machine) return undefined;
  if (machine.secret === secret) return machine;
  return machine.previousSecret && machine.previousSecret.expiresAt > core.now()
    ? machine
    : undefined;
}

export function createMachine(core: Core, input: CreateMachineInput): MachineRecord {
  const now = core.now();
  const scoped = [...new Set(input.scopedMachines ?? [])];
  for (const id of scoped) {
    if (!core.store.state.machines[id]) {
      throw errors.paramInvalid("scoped_machines", `names ${id}, which is not a machine`);
    }
  }
  const secret = input.secret ?? newSecret();
  if (machineBySecret(core, secret)) {
    throw errors.conflict("A machine with this secret key already exists.");
  }
  return core.store.put("machines", {
    id: newId("mch"),
    name: input.name,
    defaultTokenTtl: input.defaultTokenTtl ?? DEFAULT_TOKEN_TTL_SECONDS,
    scopedMachines: scoped.map((id) => ({ id, createdAt: now })),
    secret,
    previousSecret: null,
    createdAt: now,
    updatedAt: now,
  });
}

export function listMachines(
  core: Core,
  query: string | null,
  orderBy: string | null,
): MachineRecord[] {
  const text = query?.toLowerCase();
  const all = Object.values(core.store.state.machines).filter(
    (m) => !text || m.id === query || m.name.toLowerCase().includes(text),
  );
  const spec = orderBy ?? "-created_at";
  const desc = spec.startsWith("-");
  const byName = spec.replace(/^[+-]/, "") === "name";
  return all.sort((a, b) => {
    const cmp = byName ? a.name.localeCompare(b.name) : a.createdAt - b.createdAt;
    return desc ? -cmp : cmp;
  });
}

export function updateMachine(
  core: Core,
  id: string,
  input: { name?: string | undefined; defaultTokenTtl?: number | undefined },
): MachineRecord {
  const machine = getMachine(core, id);
  if (input.name !== undefined) machine.name = input.name;
  if (input.defaultTokenTtl !== undefined) machine.defaultTokenTtl = input.defaultTokenTtl;
  machine.updatedAt = Math.max(core.now(), machine.updatedAt + 1);
  core.store.save();
  return machine;
}

// Its tokens go with it, and so do the scopes other machines had to it.
export function deleteMachine(core: Core, id: string): MachineRecord {
  const machine = getMachine(core, id);
  for (const token of core.store.lookup("m2mTokens", "subject", id)) {
    core.store.remove("m2mTokens", token.id);
  }
  for (const other of Object.values(core.store.state.machines)) {
    other.scopedMachines = other.scopedMachines.filter((s) => s.id !== id);
  }
  core.store.remove("machines", id);
  return machine;
}

// The previous secret keeps working for `previousTokenTtl` seconds (0: not at all).
export function rotateMachineSecret(
  core: Core,
  id: string,
  previousTokenTtl: number,
): MachineRecord {
  const machine = getMachine(core, id);
  const now = core.now();
  return core.store.update("machines", machine, {
    secret: newSecret(),
    previousSecret:
      previousTokenTtl > 0
        ? { secret: machine.secret, expiresAt: now + previousTokenTtl * 1000 }
        : null,
    updatedAt: Math.max(now, machine.updatedAt + 1),
  });
}

export function createMachineScope(
  core: Core,
  fromId: string,
  toId: string,
): { from: MachineRecord; createdAt: number } {
  const from = getMachine(core, fromId);
  getMachine(core, toId, "to_machine_id");
  if (fromId === toId) {
    throw errors.paramInvalid("to_machine_id", "must name another machine", 400);
  }
  if (from.scopedMachines.some((s) => s.id === toId)) throw errors.machineScopeExists();
  if (from.scopedMachines.length >= MAX_SCOPES) {
    throw errors.paramInvalid("to_machine_id", `exceeds ${MAX_SCOPES} scopes per machine`, 400);
  }
  const createdAt = core.now();
  from.scopedMachines.push({ id: toId, createdAt });
  from.updatedAt = Math.max(createdAt, from.updatedAt + 1);
  core.store.save();
  return { from, createdAt };
}

export function deleteMachineScope(core: Core, fromId: string, toId: string): void {
  const from = getMachine(core, fromId);
  if (!from.scopedMachines.some((s) => s.id === toId)) throw errors.notFound("machine scope");
  from.scopedMachines = from.scopedMachines.filter((s) => s.id !== toId);
  from.updatedAt = Math.max(core.now(), from.updatedAt + 1);
  core.store.save();
}
