import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Ctx } from "./core";
import { createApiKey } from "./domain/api-keys";
import { subscribeWithTestCard } from "./domain/billing";
import { createMachine, createMachineScope } from "./domain/machines";
import { createMembership } from "./domain/memberships";
import { createOrganization, syncSeats } from "./domain/organizations";
import { findRoleByKey } from "./domain/roles";
import { createUser, findUserByEmail } from "./domain/users";

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_\\w{27}$`));

const SeedSchema = z
  .object({
    users: z
      .array(
        z
          .object({
            id: id("user").optional(),
            email: z.email(),
            password: z.string().min(8).optional(),
            first_name: z.string().optional(),
            last_name: z.string().optional(),
            public_metadata: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .default([]),
    organizations: z
      .array(
        z
          .object({
            id: id("org").optional(),
            name: z.string().min(1),
            slug: z.string().min(1),
            // A Clerk Billing plan's slug: the organization subscribes to it with its test card.
            plan: z.string().min(1).optional(),
            members: z
              .array(
                z
                  .object({
                    email: z.email(),
                    role: z.string(),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
    api_keys: z
      .array(
        z
          .object({
            name: z.string().min(3),
            owner: z.union([
              z.object({ organization: z.string() }).strict(),
              z.object({ user: z.email() }).strict(),
            ]),
            scopes: z.array(z.string()).default([]),
            description: z.string().optional(),
            secret: z
              .string()
              .regex(/^ak_\w{20,}$/)
              .optional(),
          })
          .strict(),
      )
      .default([]),
    // Machines (M2M authentication), with fixed secrets where the development wiring names them;
    // `scoped_machines` names, by name, the machines each may send tokens to.
    machines: z
      .array(
        z
          .object({
            name: z.string().min(1).max(255),
            secret: z
              .string()
              .regex(/^ak_\w{20,}$/)
              .optional(),
            scoped_machines: z.array(z.string()).default([]),
            default_token_ttl: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default([]),
    jwt_templates: z
      .array(
        z
          .object({
            name: z.string().min(1),
            claims: z.record(z.string(), z.unknown()),
            lifetime_seconds: z.number().int().positive().default(60),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Seed = z.infer<typeof SeedSchema>;

export class SeedError extends Error {}

export function readSeed(file: string): Seed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new SeedError(`cannot read seed ${file}: ${(err as Error).message}`);
  }
  const parsed = SeedSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new SeedError(`invalid seed ${file}:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

// Goes through the same domain operations as the API, so a seed emits the same webhooks.
export async function applySeed(ctx: Ctx, seed: Seed): Promise<void> {
  const { core } = ctx;
  const userByEmail = (email: string) => {
    const user = findUserByEmail(core, email);
    if (!user) throw new SeedError(`seed refers to unknown user ${email}`);
    return user;
  };
  for (const u of seed.users) {
    await createUser(ctx, {
      id: u.id,
      emailAddresses: [u.email],
      password: u.password,
      firstName: u.first_name,
      lastName: u.last_name,
      publicMetadata: u.public_metadata,
    });
  }
  const orgBySlug = new Map<string, string>();
  for (const o of seed.organizations) {
    const org = createOrganization(ctx, { id: o.id, name: o.name, slug: o.slug });
    orgBySlug.set(o.slug, org.id);
    for (const m of o.members) {
      if (!findRoleByKey(core, m.role)) {
        throw new SeedError(`seed gives ${m.email} the role ${m.role}, which the instance lacks`);
      }
      createMembership(ctx, org.id, userByEmail(m.email).id, m.role);
    }
    if (o.plan) subscribeWithTestCard(ctx, org, o.plan, "month", syncSeats);
  }
  for (const k of seed.api_keys) {
    let subject: string;
    if ("organization" in k.owner) {
      const orgId = orgBySlug.get(k.owner.organization);
      if (!orgId)
        throw new SeedError(`seed API key ${k.name} names unknown org ${k.owner.organization}`);
      subject = orgId;
    } else {
      subject = userByEmail(k.owner.user).id;
    }
    createApiKey(ctx, {
      name: k.name,
      subject,
      scopes: k.scopes,
      description: k.description,
      secret: k.secret,
    });
  }
  const machineByName = new Map<string, string>();
  for (const m of seed.machines) {
    const machine = createMachine(core, {
      name: m.name,
      secret: m.secret,
      defaultTokenTtl: m.default_token_ttl,
    });
    machineByName.set(m.name, machine.id);
  }
  for (const m of seed.machines) {
    for (const name of m.scoped_machines) {
      const to = machineByName.get(name);
      if (!to) throw new SeedError(`seed machine ${m.name} names unknown machine ${name}`);
      createMachineScope(core, machineByName.get(m.name) as string, to);
    }
  }
  for (const t of seed.jwt_templates) {
    core.store.state.jwtTemplates[t.name] = {
      name: t.name,
      claims: t.claims,
      lifetimeSeconds: t.lifetime_seconds,
    };
  }
  core.store.save();
}
