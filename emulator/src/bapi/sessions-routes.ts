import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import { createSession, endSession, getActiveSession, getSession } from "../domain/sessions";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { sessionJSON } from "../json/bapi-json";
import { mintSessionToken, mintTemplateToken } from "../tokens/session-token";
import { ctxOf, json, paginate } from "./shared";

const CreateSessionBody = z
  .object({ user_id: z.string(), active_organization_id: z.string().optional() })
  .strict();
const TokenBody = z
  .object({ expires_in_seconds: z.number().int().min(30).max(315_360_000).optional() })
  .strict();

export function registerSessionRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/sessions", (req) => {
      const q = req.query;
      const userId = q.get("user_id");
      const clientId = q.get("client_id");
      const status = q.get("status");
      if (!userId && !clientId) throw errors.paramMissing("user_id");
      // Resolve expiry first, so a status filter sees sessions as they are now.
      const sessions = Object.values(core.store.state.sessions)
        .map((s) => getSession(core, s.id))
        .filter(
          (s) =>
            (!userId || s.userId === userId) &&
            (!clientId || s.clientId === clientId) &&
            (!status || s.status === status),
        )
        .sort((a, b) => b.createdAt - a.createdAt);
      const page = paginate(sessions, q);
      const data = page.items.map(sessionJSON);
      // The SDK sends paginated=true and reads { data, total_count }; without it Clerk answers
      // the bare array that the spec's Session.List documents.
      return json(q.get("paginated") === "true" ? { data, total_count: page.totalCount } : data);
    })
    .add("POST", "/v1/sessions", (req) => {
      const body = parseParams(CreateSessionBody, req.body);
      const session = createSession(ctxOf(core, req), body.user_id, {
        organizationId: body.active_organization_id,
      });
      return json(sessionJSON(session));
    })
    .add("GET", "/v1/sessions/:id", (_req, p) =>
      json(sessionJSON(getSession(core, p.id as string))),
    )
    .add("POST", "/v1/sessions/:id/revoke", (req, p) => {
      const session = getSession(core, p.id as string);
      if (session.status === "active") endSession(ctxOf(core, req), session, "revoked");
      return json(sessionJSON(session));
    })
    .add("POST", "/v1/sessions/:id/tokens", async (req, p) => {
      const body = parseParams(TokenBody, req.body);
      const session = getActiveSession(core, p.id as string);
      const jwt = await mintSessionToken(core, session, {
        lifetimeSeconds: body.expires_in_seconds,
      });
      return json({ object: "token", jwt });
    })
    .add("POST", "/v1/sessions/:id/tokens/:template", async (_req, p) => {
      const template = core.store.state.jwtTemplates[p.template as string];
      if (!template) throw errors.notFound("JWT template");
      const session = getActiveSession(core, p.id as string);
      return json({ object: "token", jwt: await mintTemplateToken(core, session, template) });
    });
}
