import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import {
  findPasskey,
  finishPasskeyRegistration,
  removePasskey,
  renamePasskey,
  startPasskeyRegistration,
} from "../domain/passkeys";
import type { Router } from "../http/router";
import { fapiPasskeyJSON } from "../json/factors-json";
import { fapiDeletedObjectJSON } from "../json/fapi-json";
import { signedInUser } from "./context";
import { withClient } from "./envelope";

// The user's passkeys in <UserProfile/>'s Security page, as clerk-js's `user.createPasskey()`
// (create, then the browser's attestation), `passkey.update({ name })` and `passkey.delete()` call
// them.

const AttemptBody = z.object({
  strategy: z.literal("passkey").optional(),
  public_key_credential: z.string().optional(),
});
const RenameBody = z.object({ name: z.string() });

export function registerPasskeyRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/me/passkeys",
      async (req) => {
        const { f, user } = signedInUser(core, req);
        return withClient(f, fapiPasskeyJSON(await startPasskeyRegistration(f, user)));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/passkeys/:id/attempt_verification",
      async (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(AttemptBody, req.body);
        const passkey = await finishPasskeyRegistration(
          f,
          user,
          p.id as string,
          body.public_key_credential,
        );
        return withClient(f, fapiPasskeyJSON(passkey));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/me/passkeys/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        return withClient(f, fapiPasskeyJSON(findPasskey(user, p.id as string)));
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/me/passkeys/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(RenameBody, req.body);
        return withClient(f, fapiPasskeyJSON(renamePasskey(f, user, p.id as string, body.name)));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/passkeys/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const removed = removePasskey(f, user, p.id as string);
        return withClient(f, fapiDeletedObjectJSON("passkey", removed.id));
      },
      "frontend",
    );
}
