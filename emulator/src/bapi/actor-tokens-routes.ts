import { z } from "zod";
import type { Core } from "../core";
import { createActorToken, getActorToken, revokeActorToken } from "../domain/actor-tokens";
import { parseParams } from "../domain/params";
import type { Router } from "../http/router";
import { actorTokenJSON } from "../json/bapi-json";
import { json } from "./shared";

const CreateBody = z
  .object({
    user_id: z.string(),
    // Whatever else the actor holds goes into the session token's `act` claim with it.
    actor: z.looseObject({ sub: z.string().min(1) }),
    expires_in_seconds: z.number().int().min(1).nullish(),
    session_max_duration_in_seconds: z.number().int().min(1).nullish(),
  })
  .strict();

// User impersonation: a token's url links into the app at EMULATOR_AUTHORIZED_PARTY.
export function registerActorTokenRoutes(router: Router, core: Core) {
  router
    .add("POST", "/v1/actor_tokens", async (req) => {
      const body = parseParams(CreateBody, req.body);
      const token = await createActorToken(
        core,
        {
          userId: body.user_id,
          actor: body.actor,
          expiresInSeconds: body.expires_in_seconds,
          sessionMaxDurationSeconds: body.session_max_duration_in_seconds,
        },
        core.config.authorizedParty,
      );
      return json(actorTokenJSON(token));
    })
    .add("POST", "/v1/actor_tokens/:id/revoke", (_req, p) =>
      json(actorTokenJSON(revokeActorToken(core, getActorToken(core, p.id as string)))),
    );
}
