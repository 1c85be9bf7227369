import { z } from "zod";
import type { Core } from "../core";
import {
  createM2MToken,
  listM2MTokens,
  type M2MCaller,
  revokeM2MToken,
  verifyM2MToken,
} from "../domain/m2m-tokens";
import {
  createMachine,
  createMachineScope,
  deleteMachine,
  deleteMachineScope,
  getMachine,
  listMachines,
  MAX_SCOPES,
  machineBySecret,
  rotateMachineSecret,
  updateMachine,
} from "../domain/machines";
import { parseParams } from "../domain/params";
import { bearerToken, secretMatches } from "../http/bearer";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import {
  m2mTokenJSON,
  machineJSON,
  machineScopeJSON,
  machineSecretKeyJSON,
} from "../json/machines-json";
import { json, paginate } from "./shared";

const Ttl = z.number().int().min(1).max(315_360_000);

const CreateMachineBody = z
  .object({
    name: z.string().trim().min(1).max(255),
    scoped_machines: z.array(z.string()).max(MAX_SCOPES).optional(),
    default_token_ttl: Ttl.optional(),
  })
  .strict();

const UpdateMachineBody = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    default_token_ttl: Ttl.optional(),
  })
  .strict();

const RotateBody = z.object({ previous_token_ttl: z.number().int().min(0).max(28_800) }).strict();
const ScopeBody = z.object({ to_machine_id: z.string().min(1) }).strict();

const CreateTokenBody = z
  .object({
    token_format: z.enum(["opaque", "jwt"]).default("opaque"),
    seconds_until_expiration: z.number().positive().nullable().optional(),
    claims: z.unknown().optional(),
    min_remaining_ttl_seconds: z.number().int().min(0).optional(),
  })
  .strict();

const RevokeTokenBody = z
  .object({ revocation_reason: z.string().max(255).nullable().optional() })
  .strict();
const VerifyTokenBody = z.object({ token: z.string().min(1) }).strict();

const flag = z
  .enum(["true", "false"])
  .nullish()
  .transform((v) => v === "true");
const ListTokensQuery = z.object({
  subject: z.string().regex(/^mch_\w{27}$/, "must be a machine id"),
  revoked: flag,
  expired: flag,
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).default(0),
});

// The M2M endpoints take the instance secret or a machine's secret key, which Clerk's SDK sends
// when given one (`machineSecretKey`, or CLERK_MACHINE_SECRET_KEY).
function m2mCaller(core: Core, req: RequestInfo): M2MCaller {
  const bearer = bearerToken(req.headers);
  if (secretMatches(bearer, core.config.secretKey)) return { kind: "instance" };
  const machine = bearer ? machineBySecret(core, bearer) : undefined;
  if (!machine) throw errors.unauthenticated();
  return { kind: "machine", machine };
}

const claimsOf = (claims: unknown) =>
  claims === undefined || claims === null ? null : (claims as Record<string, unknown>);

export function registerMachineRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/machines", (req) => {
      const machines = listMachines(core, req.query.get("query"), req.query.get("order_by"));
      const page = paginate(machines, req.query);
      return json({
        data: page.items.map((m) => machineJSON(core, m)),
        total_count: page.totalCount,
      });
    })
    .add("POST", "/v1/machines", (req) => {
      const body = parseParams(CreateMachineBody, req.body);
      const machine = createMachine(core, {
        name: body.name,
        scopedMachines: body.scoped_machines,
        defaultTokenTtl: body.default_token_ttl,
      });
      return json({ ...machineJSON(core, machine), secret_key: machine.secret });
    })
    .add("GET", "/v1/machines/:id", (_req, p) =>
      json(machineJSON(core, getMachine(core, p.id as string))),
    )
    .add("PATCH", "/v1/machines/:id", (req, p) => {
      const body = parseParams(UpdateMachineBody, req.body);
      const machine = updateMachine(core, p.id as string, {
        name: body.name,
        defaultTokenTtl: body.default_token_ttl,
      });
      return json(machineJSON(core, machine));
    })
    .add("DELETE", "/v1/machines/:id", (_req, p) => {
      const machine = deleteMachine(core, p.id as string);
      return json({ object: "machine", id: machine.id, deleted: true });
    })
    .add("GET", "/v1/machines/:id/secret_key", (_req, p) =>
      json(machineSecretKeyJSON(getMachine(core, p.id as string).secret)),
    )
    .add("POST", "/v1/machines/:id/secret_key/rotate", (req, p) => {
      const body = parseParams(RotateBody, req.body);
      const machine = rotateMachineSecret(core, p.id as string, body.previous_token_ttl);
      return json(machineSecretKeyJSON(machine.secret));
    })
    .add("POST", "/v1/machines/:id/scopes", (req, p) => {
      const body = parseParams(ScopeBody, req.body);
      const { from, createdAt } = createMachineScope(core, p.id as string, body.to_machine_id);
      return json(machineScopeJSON(from.id, body.to_machine_id, createdAt));
    })
    .add("DELETE", "/v1/machines/:id/scopes/:otherId", (_req, p) => {
      deleteMachineScope(core, p.id as string, p.otherId as string);
      return json({
        object: "machine_scope",
        from_machine_id: p.id,
        to_machine_id: p.otherId,
        deleted: true,
      });
    });

  // Unversioned, as the SDK calls them (`{apiUrl}/m2m_tokens`); Clerk accepts /v1 too.
  for (const base of ["/m2m_tokens", "/v1/m2m_tokens"]) {
    router
      .add(
        "POST",
        base,
        async (req) => {
          const caller = m2mCaller(core, req);
          if (caller.kind !== "machine") throw errors.machineSecretKeyRequired();
          const body = parseParams(CreateTokenBody, req.body, 400);
          const token = await createM2MToken(core, caller.machine, {
            format: body.token_format,
            secondsUntilExpiration: body.seconds_until_expiration ?? null,
            claims: claimsOf(body.claims),
            minRemainingTtlSeconds: body.min_remaining_ttl_seconds,
          });
          return json(m2mTokenJSON(token, core.now(), true), 201);
        },
        "machine",
      )
      .add(
        "GET",
        base,
        (req) => {
          const caller = m2mCaller(core, req);
          const query = parseParams(ListTokensQuery, Object.fromEntries(req.query), 400);
          const tokens = listM2MTokens(core, query.subject, caller, query);
          const now = core.now();
          return json({
            m2m_tokens: tokens
              .slice(query.offset, query.offset + query.limit)
              .map((t) => m2mTokenJSON(t, now)),
            total_count: tokens.length,
          });
        },
        "machine",
      )
      .add(
        "POST",
        `${base}/verify`,
        async (req) => {
          const caller = m2mCaller(core, req);
          const body = parseParams(VerifyTokenBody, req.body, 400);
          return json(m2mTokenJSON(await verifyM2MToken(core, body.token, caller), core.now()));
        },
        "machine",
      )
      .add(
        "POST",
        `${base}/:id/revoke`,
        (req, p) => {
          const caller = m2mCaller(core, req);
          const body = parseParams(RevokeTokenBody, req.body ?? {}, 400);
          const token = revokeM2MToken(
            core,
            p.id as string,
            caller,
            body.revocation_reason ?? null,
          );
          return json(m2mTokenJSON(token, core.now()));
        },
        "machine",
      );
  }
}
