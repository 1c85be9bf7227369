import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import {
  attemptReverificationFirstFactor,
  attemptReverificationSecondFactor,
  prepareReverificationFirstFactor,
  prepareReverificationSecondFactor,
  startReverification,
} from "../domain/reverification";
import type { Router } from "../http/router";
import { fapiReverificationJSON } from "../json/fapi-json";
import { mintSessionToken } from "../tokens/session-token";
import { clientSession, type FapiCtx, fapiCtx } from "./context";
import { withClient } from "./envelope";

// A session's reverification, as clerk-js's `session.startVerification()`,
// `prepareFirstFactorVerification()`, `attemptFirstFactorVerification()` and their second-factor
// twins call it (the modal `useReverification()` opens). Each answer carries the session with a
// token whose `fva` says what was just verified.

const StartBody = z.object({ level: z.enum(["first_factor", "second_factor", "multi_factor"]) });
const PrepareBody = z.object({
  strategy: z.string(),
  email_address_id: z.string().optional(),
  phone_number_id: z.string().optional(),
});
const AttemptFirstBody = z.discriminatedUnion("strategy", [
  z.object({ strategy: z.literal("password"), password: z.string() }),
  z.object({ strategy: z.literal("email_code"), code: z.string() }),
  z.object({ strategy: z.literal("phone_code"), code: z.string() }),
  z.object({ strategy: z.literal("passkey"), public_key_credential: z.string() }),
]);
const AttemptSecondBody = z.object({
  strategy: z.enum(["totp", "backup_code", "phone_code"]),
  code: z.string(),
});

async function answer(f: FapiCtx, sessionId: string) {
  const session = clientSession(f, sessionId);
  const token = await mintSessionToken(f.core, session, { authorizedParty: f.appOrigin });
  return withClient(f, fapiReverificationJSON(f.core, session, token));
}

export function registerReverificationRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/client/sessions/:id/verify",
      (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(StartBody, req.body);
        startReverification(f, clientSession(f, p.id as string), body.level);
        return answer(f, p.id as string);
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/verify/prepare_first_factor",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(PrepareBody, req.body);
        await prepareReverificationFirstFactor(f, clientSession(f, p.id as string), {
          strategy: body.strategy,
          emailAddressId: body.email_address_id,
          phoneNumberId: body.phone_number_id,
        });
        return answer(f, p.id as string);
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/verify/attempt_first_factor",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(AttemptFirstBody, req.body);
        const attempt =
          body.strategy === "passkey"
            ? { strategy: body.strategy, publicKeyCredential: body.public_key_credential }
            : body;
        await attemptReverificationFirstFactor(f, clientSession(f, p.id as string), attempt);
        return answer(f, p.id as string);
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/verify/prepare_second_factor",
      (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(PrepareBody, req.body);
        prepareReverificationSecondFactor(f, clientSession(f, p.id as string), {
          strategy: body.strategy,
          phoneNumberId: body.phone_number_id,
        });
        return answer(f, p.id as string);
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sessions/:id/verify/attempt_second_factor",
      (req, p) => {
        const f = fapiCtx(core, req);
        const attempt = parseParams(AttemptSecondBody, req.body);
        attemptReverificationSecondFactor(f, clientSession(f, p.id as string), attempt);
        return answer(f, p.id as string);
      },
      "frontend",
    );
}
