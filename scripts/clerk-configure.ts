// `npm run clerk:configure [-- --dry-run]`: makes a Clerk instance's organization roles and
// permissions what clerk/organization-roles.json declares, through the Backend API (@clerk/backend's
// organizationPermissions and organizationRoles). It creates what is missing and updates what
// differs (name, description, a role's permission set); what the instance has beyond the file is
// reported and left alone. Running it again changes nothing. With --dry-run it only prints the plan.
//
// Then it checks the instance's Clerk Billing plans against clerk/billing-plans.json. Clerk's
// Backend API can read plans but not create or change them: what differs is printed as the steps
// to take in the Clerk Dashboard, and the command exits with 2 until the instance matches.
//
// Then clerk/instance-settings.json: an emulator takes the whole file (PUT
// /__emulator/instance_settings); Clerk's Backend API cannot set these, so for a real instance it
// prints each item the instance does not have as declared, with where to set it in the Dashboard.
//
// Which Clerk: CLERK_SECRET_KEY (and CLERK_API_URL, if set) from the environment or .env.local;
// without a key, the emulator of a running `npm run dev`.
import path from "node:path";
import { createClerkClient } from "@clerk/backend";
import nextEnv from "@next/env";
import { BILLING_PLANS_FILE, readBillingPlans } from "../clerk/billing-plans-file";
import {
  INSTANCE_SETTINGS_FILE,
  type InstanceSettings,
  readInstanceSettings,
} from "../clerk/instance-settings";
import {
  type DeclaredRole,
  isSystemPermission,
  ORGANIZATION_ROLES_FILE,
  type OrganizationRolesDeclaration,
  readOrganizationRoles,
} from "../clerk/organization-roles";
import { billingDifferences } from "./lib/billing-plans-check";
import { type ClerkTarget, clerkTarget } from "./lib/clerk-target";
import {
  type EnvironmentJSON,
  itemsOfEnvironment,
  planInstanceSettings,
} from "./lib/instance-settings-plan";
import { requireClerk } from "./lib/preflight";

nextEnv.loadEnvConfig(process.cwd());

type Clerk = ReturnType<typeof createClerkClient>;
type InstancePermission = { id: string; key: string; name: string; description: string };
type InstanceRole = {
  id: string;
  key: string;
  name: string;
  description: string | null;
  permissions: InstancePermission[];
};

type Step =
  | { kind: "create-permission"; key: string; name: string; description: string }
  | { kind: "update-permission"; id: string; key: string; name: string; description: string }
  | { kind: "create-role"; role: DeclaredRole }
  | { kind: "update-role"; id: string; role: DeclaredRole };

type Plan = {
  steps: { step: Step; summary: string }[];
  // Clerk's system permissions the file gives a role but the instance lacks (e.g. billing ones on
  // an instance without billing): they cannot be assigned, and are left out.
  unavailable: string[];
  beyond: string[];
};

// Pages through a Backend API list (at most 100 items a page).
async function all<T>(list: (page: { limit: number; offset: number }) => Promise<{ data: T[] }>) {
  const items: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const { data } = await list({ limit: 100, offset });
    items.push(...data);
    if (data.length < 100) return items;
  }
}

function changedFields(
  current: { name: string; description: string | null },
  wanted: { name: string; description: string },
) {
  return [
    ...(current.name === wanted.name ? [] : [`name "${current.name}" -> "${wanted.name}"`]),
    ...((current.description ?? "") === wanted.description ? [] : ["description"]),
  ];
}

function planConfiguration(
  declaration: OrganizationRolesDeclaration,
  permissions: InstancePermission[],
  roles: InstanceRole[],
): Plan {
  const steps: Plan["steps"] = [];
  const existing = new Map(permissions.map((p) => [p.key, p]));
  for (const wanted of declaration.permissions) {
    const current = existing.get(wanted.key);
    if (!current) {
      steps.push({
        step: { kind: "create-permission", ...wanted },
        summary: `permission ${wanted.key} (${wanted.name})`,
      });
      continue;
    }
    const changes = changedFields(current, wanted);
    if (changes.length > 0) {
      steps.push({
        step: { kind: "update-permission", id: current.id, ...wanted },
        summary: `permission ${wanted.key}: ${changes.join(", ")}`,
      });
    }
  }

  const unavailable = new Set<string>();
  const assignable = (role: DeclaredRole) =>
    role.permissions.filter((key) => {
      if (!isSystemPermission(key) || existing.has(key)) return true;
      unavailable.add(key);
      return false;
    });
  const currentRoles = new Map(roles.map((r) => [r.key, r]));
  for (const declared of declaration.roles) {
    const wanted = { ...declared, permissions: assignable(declared) };
    const current = currentRoles.get(wanted.key);
    if (!current) {
      steps.push({
        step: { kind: "create-role", role: wanted },
        summary: `role ${wanted.key} (${wanted.name}): ${wanted.permissions.join(", ") || "no permissions"}`,
      });
      continue;
    }
    const held = new Set(current.permissions.map((p) => p.key));
    const added = wanted.permissions.filter((key) => !held.has(key));
    const removed = [...held].filter((key) => !wanted.permissions.includes(key));
    const changes = [
      ...changedFields(current, wanted),
      ...added.map((key) => `+${key}`),
      ...removed.map((key) => `-${key}`),
    ];
    if (changes.length > 0) {
      steps.push({
        step: { kind: "update-role", id: current.id, role: wanted },
        summary: `role ${wanted.key}: ${changes.join(", ")}`,
      });
    }
  }

  const declaredPermissions = new Set(declaration.permissions.map((p) => p.key));
  const declaredRoles = new Set(declaration.roles.map((r) => r.key));
  const beyond = [
    ...roles.filter((r) => !declaredRoles.has(r.key)).map((r) => `role ${r.key}`),
    ...permissions
      .filter((p) => !isSystemPermission(p.key) && !declaredPermissions.has(p.key))
      .map((p) => `permission ${p.key}`),
  ];
  return { steps, unavailable: [...unavailable], beyond };
}

async function apply(clerk: Clerk, step: Step, permissionIds: Map<string, string>) {
  const ids = (role: DeclaredRole) =>
    role.permissions.map((key) => {
      const id = permissionIds.get(key);
      if (!id) throw new Error(`the instance has no permission ${key}`);
      return id;
    });
  switch (step.kind) {
    case "create-permission": {
      const { kind: _, ...params } = step;
      const created = await clerk.organizationPermissions.createOrganizationPermission(params);
      permissionIds.set(created.key, created.id);
      return;
    }
    case "update-permission": {
      const { kind: _, id, ...params } = step;
      await clerk.organizationPermissions.updateOrganizationPermission({
        permissionId: id,
        ...params,
      });
      return;
    }
    case "create-role":
      await clerk.organizationRoles.createOrganizationRole({
        key: step.role.key,
        name: step.role.name,
        description: step.role.description,
        permissions: ids(step.role),
        // So that organizations offer it, as a role made in the Clerk dashboard is.
        includeInInitialRoleSet: true,
      });
      return;
    case "update-role":
      await clerk.organizationRoles.updateOrganizationRole({
        organizationRoleId: step.id,
        name: step.role.name,
        description: step.role.description,
        permissions: ids(step.role),
      });
      return;
  }
}

const VERB = {
  "create-permission": ["create", "created"],
  "update-permission": ["update", "updated"],
  "create-role": ["create", "created"],
  "update-role": ["update", "updated"],
} as const;

const USAGE = `usage: npm run clerk:configure [-- --dry-run]

Applies clerk/organization-roles.json (roles and permissions), clerk/instance-settings.json and
checks clerk/billing-plans.json against a Clerk instance: the one of CLERK_SECRET_KEY (and
CLERK_API_URL) when set, else the emulator of a running \`npm run dev\`.
  --dry-run   print the plan, change nothing`;

// A Clerk emulator answers its health check; Clerk has no such path.
async function isEmulator(target: ClerkTarget) {
  if (!target.apiUrl) return false;
  const res = await fetch(new URL("/__emulator/health", target.apiUrl)).catch(() => null);
  return res?.ok === true;
}

async function configureEmulator(target: ClerkTarget, settings: InstanceSettings, dryRun: boolean) {
  if (dryRun) {
    console.log("  would apply every item of the file to the emulator");
    return;
  }
  const res = await fetch(new URL("/__emulator/instance_settings", target.apiUrl), {
    method: "PUT",
    headers: {
      Authorization: `Bearer ${target.secretKey}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(settings),
  });
  const body = (await res.json()) as {
    not_emulated?: string[];
    errors?: { long_message: string }[];
  };
  if (!res.ok) {
    throw new Error(body.errors?.map((e) => e.long_message).join("; ") ?? `HTTP ${res.status}`);
  }
  console.log("  applied to the emulator (until it stops; it reads the file again at start)");
  if (body.not_emulated?.length) {
    console.log(`  on in the file, not emulated yet, so off: ${body.not_emulated.join(", ")}`);
  }
}

// What a real instance offers, from its Frontend API's environment (public: the publishable key
// names the host); null when it cannot be read.
async function instanceEnvironment(): Promise<Map<string, boolean> | null> {
  const key = process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? "";
  const host = Buffer.from(key.split("_")[2] ?? "", "base64")
    .toString()
    .replace(/\$$/, "");
  if (!host.includes(".")) return null;
  const res = await fetch(`https://${host}/v1/environment`).catch(() => null);
  if (!res?.ok) return null;
  return itemsOfEnvironment((await res.json()) as EnvironmentJSON);
}

async function configureClerk(settings: InstanceSettings) {
  const current = await instanceEnvironment();
  if (!current) {
    console.log(
      "  cannot read the instance's environment (NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY): listing every item",
    );
  }
  const steps = planInstanceSettings(settings, current);
  for (const step of steps) {
    const now = step.now === undefined ? "" : ` (now ${step.now ? "on" : "off"})`;
    console.log(`  set ${step.path} ${step.on ? "on" : "off"}${now}: ${step.where}`);
  }
  if (steps.length === 0) {
    console.log("  the instance offers what the file declares");
  } else {
    console.log(
      `  ${steps.length} item(s) to set in the Clerk Dashboard (Clerk's Backend API cannot set them)`,
    );
  }
}

async function configureInstanceSettings(
  target: ClerkTarget,
  settings: InstanceSettings,
  dryRun: boolean,
) {
  const file = path.relative(process.cwd(), INSTANCE_SETTINGS_FILE);
  console.log(`clerk:configure ${file} onto ${target.label}${dryRun ? " (dry run)" : ""}`);
  if (await isEmulator(target)) await configureEmulator(target, settings, dryRun);
  else await configureClerk(settings);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return;
  }
  const unknown = args.filter((a) => a !== "--dry-run");
  if (unknown.length > 0) {
    throw new Error(`unknown argument ${unknown.join(" ")} (usage: clerk:configure [--dry-run])`);
  }
  const dryRun = args.includes("--dry-run");
  const file = path.relative(process.cwd(), ORGANIZATION_ROLES_FILE);
  const declaration = readOrganizationRoles();
  // Every file is checked before anything changes.
  const settings = readInstanceSettings();
  const billingPlans = readBillingPlans();
  const target = clerkTarget(process.env);
  console.log(`clerk:configure ${file} onto ${target.label}${dryRun ? " (dry run)" : ""}`);

  await requireClerk(target, process.env);
  const clerk = createClerkClient({ secretKey: target.secretKey, apiUrl: target.apiUrl });
  const permissions = await all((page) =>
    clerk.organizationPermissions.getOrganizationPermissionList(page),
  );
  const roles = await all((page) => clerk.organizationRoles.getOrganizationRoleList(page));
  const plan = planConfiguration(declaration, permissions, roles);

  const permissionIds = new Map(permissions.map((p) => [p.key, p.id]));
  for (const { step, summary } of plan.steps) {
    const [planned, done] = VERB[step.kind];
    if (!dryRun) await apply(clerk, step, permissionIds);
    console.log(`  ${dryRun ? `would ${planned}` : done} ${summary}`);
  }
  if (plan.unavailable.length > 0) {
    console.log(`  not on this instance, not assigned: ${plan.unavailable.join(", ")}`);
  }
  if (plan.beyond.length > 0) {
    console.log(`  not in ${file}, left as is: ${plan.beyond.join(", ")}`);
  }
  const billingFile = path.relative(process.cwd(), BILLING_PLANS_FILE);
  const billing = await billingDifferences(clerk, billingPlans);
  if (billing.length === 0) {
    console.log(`  billing: the organization plans match ${billingFile}`);
  } else {
    console.log(
      `  billing: the Backend API cannot create plans; in the Clerk Dashboard (Billing):`,
    );
    for (const line of billing) console.log(`    - ${line}`);
    process.exitCode = 2;
  }
  const count = plan.steps.length;
  if (count === 0) {
    console.log(`clerk:configure done: nothing to change, the instance matches ${file}`);
  } else if (dryRun) {
    console.log(`clerk:configure dry run: ${count} change(s) planned, nothing changed`);
  } else {
    console.log(`clerk:configure done: ${count} change(s) applied`);
  }
  await configureInstanceSettings(target, settings, dryRun);
}

main().catch((err: unknown) => {
  const api = err as { errors?: { longMessage?: string; message: string }[] };
  const detail = api.errors?.map((e) => e.longMessage ?? e.message).join("; ");
  console.error("clerk:configure failed:", detail || (err instanceof Error ? err.message : err));
  process.exit(1);
});
