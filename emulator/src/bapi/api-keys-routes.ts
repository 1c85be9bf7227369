import { z } from "zod";
import type { Core } from "../core";
import {
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
  revokeApiKey,
  updateApiKey,
  verifyApiKey,
} from "../domain/api-keys";
import { parseParams } from "../domain/params";
import { type ApiKeyCaller, apiKeyCaller, assertMayAccess } from "../fapi/api-key-access";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { apiKeyJSON } from "../json/bapi-json";
import { ctxOf, json, metadataSchema, paginate } from "./shared";

const SUBJECT = /^(user|org)_\w{27}$/;

const CreateApiKeyBody = z
  .object({
    type: z.literal("api_key").optional(),
    name: z.string().trim().min(3).max(256),
    subject: z.string().regex(SUBJECT, "must be a user_ or org_ id"),
    description: z.string().max(255).nullable().optional(),
    claims: metadataSchema.nullable().optional(),
    scopes: z.array(z.string().min(1).max(128)).max(64).optional(),
    created_by: z
      .string()
      .regex(/^user_\w{27}$/)
      .nullable()
      .optional(),
    seconds_until_expiration: z.number().positive().nullable().optional(),
  })
  .strict();

const UpdateApiKeyBody = z
  .object({
    subject: z.string().regex(SUBJECT, "must be a user_ or org_ id"),
    description: z.string().max(255).nullable().optional(),
    claims: metadataSchema.nullable().optional(),
    scopes: z.array(z.string().min(1).max(128)).max(64).optional(),
    seconds_until_expiration: z.number().positive().nullable().optional(),
  })
  .strict();

const RevokeBody = z
  .object({ revocation_reason: z.string().max(255).nullable().optional() })
  .strict();
const VerifyBody = z.object({ secret: z.string().min(1) }).strict();

// The SDK calls these without the /v1 segment (`{apiUrl}/api_keys/verify`); Clerk accepts both.
// List, create, get and revoke also serve <APIKeys/> in the browser (see fapi/api-key-access.ts).
// Whose keys a list shows. A signed-in user's list without a subject (what useAPIKeys() sends
// when given none) is their active organization's, else their own, as the hook documents.
function listedSubject(caller: ApiKeyCaller, subject: string | null): string {
  if (subject) return subject;
  if (caller.kind === "user") return caller.activeOrganizationId ?? caller.userId;
  throw errors.paramMissing("subject", 400);
}

export function registerApiKeyRoutes(router: Router, core: Core) {
  for (const base of ["/api_keys", "/v1/api_keys"]) {
    router
      .add(
        "GET",
        base,
        async (req) => {
          const caller = await apiKeyCaller(core, req);
          const subject = listedSubject(caller, req.query.get("subject"));
          assertMayAccess(core, caller, subject, "read");
          const includeInvalid = req.query.get("include_invalid") === "true";
          const text = req.query.get("query")?.toLowerCase();
          const keys = listApiKeys(core, subject, includeInvalid).filter(
            (k) => !text || k.name.toLowerCase().includes(text),
          );
          const page = paginate(keys, req.query);
          const now = core.now();
          return json({
            data: page.items.map((k) => apiKeyJSON(k, now)),
            total_count: page.totalCount,
          });
        },
        "both",
      )
      .add(
        "POST",
        base,
        async (req) => {
          const caller = await apiKeyCaller(core, req);
          const body = parseParams(CreateApiKeyBody, req.body, 400);
          assertMayAccess(core, caller, body.subject, "manage");
          // Scopes and claims are the Backend API's to set: a browser cannot grant itself any.
          if (caller.kind === "user" && (body.scopes?.length || body.claims || body.created_by)) {
            throw errors.paramInvalid(
              "scopes",
              "can only be set with the instance secret key",
              400,
            );
          }
          const { key, secret } = createApiKey(ctxOf(core, req), {
            name: body.name,
            subject: body.subject,
            description: body.description,
            claims: body.claims,
            scopes: body.scopes,
            createdBy: caller.kind === "user" ? caller.userId : body.created_by,
            secondsUntilExpiration: body.seconds_until_expiration,
          });
          // The Frontend API answers a create with 201, the Backend API with 200.
          return json(
            { ...apiKeyJSON(key, core.now()), secret },
            caller.kind === "user" ? 201 : 200,
          );
        },
        "both",
      )
      .add("POST", `${base}/verify`, (req) => {
        const body = parseParams(VerifyBody, req.body, 400);
        return json(apiKeyJSON(verifyApiKey(core, body.secret), core.now()));
      })
      .add(
        "GET",
        `${base}/:id`,
        async (req, p) => {
          const key = getApiKey(core, p.id as string);
          assertMayAccess(core, await apiKeyCaller(core, req), key.subject, "read");
          return json(apiKeyJSON(key, core.now()));
        },
        "both",
      )
      .add("PATCH", `${base}/:id`, (req, p) => {
        const body = parseParams(UpdateApiKeyBody, req.body, 400);
        if (getApiKey(core, p.id as string).subject !== body.subject) {
          throw errors.paramInvalid("subject", "does not match the API key's subject", 400);
        }
        const key = updateApiKey(core, p.id as string, {
          description: body.description,
          claims: body.claims,
          scopes: body.scopes,
          secondsUntilExpiration: body.seconds_until_expiration,
        });
        return json(apiKeyJSON(key, core.now()));
      })
      .add(
        "POST",
        `${base}/:id/revoke`,
        async (req, p) => {
          const caller = await apiKeyCaller(core, req);
          const body = parseParams(RevokeBody, req.body, 400);
          assertMayAccess(core, caller, getApiKey(core, p.id as string).subject, "manage");
          const key = revokeApiKey(core, p.id as string, body.revocation_reason ?? null);
          return json(apiKeyJSON(key, core.now()));
        },
        "both",
      )
      .add("DELETE", `${base}/:id`, (_req, p) => {
        const key = deleteApiKey(core, p.id as string);
        return json({ object: "api_key", id: key.id, deleted: true });
      });
  }
}
