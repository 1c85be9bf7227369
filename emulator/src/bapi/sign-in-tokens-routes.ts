import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import { createSignInToken, getSignInToken, revokeSignInToken } from "../domain/sign-in-tokens";
import type { Router } from "../http/router";
import { signInTokenJSON } from "../json/bapi-json";
import { json } from "./shared";

const CreateBody = z
  .object({
    user_id: z.string(),
    org_id: z.string().nullish(),
    expires_in_seconds: z.number().int().min(1).nullish(),
  })
  .strict();

// A token's url links into the app at EMULATOR_AUTHORIZED_PARTY (the app's origin).
export function registerSignInTokenRoutes(router: Router, core: Core) {
  router
    .add("POST", "/v1/sign_in_tokens", async (req) => {
      const body = parseParams(CreateBody, req.body);
      const token = await createSignInToken(
        core,
        {
          userId: body.user_id,
          organizationId: body.org_id,
          expiresInSeconds: body.expires_in_seconds,
        },
        core.config.authorizedParty,
      );
      return json(signInTokenJSON(token));
    })
    .add("POST", "/v1/sign_in_tokens/:id/revoke", (_req, p) =>
      json(signInTokenJSON(revokeSignInToken(core, getSignInToken(core, p.id as string)))),
    );
}
