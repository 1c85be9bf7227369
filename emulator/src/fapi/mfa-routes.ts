import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import { regenerateBackupCodes } from "../domain/second-factors";
import { createTotp, removeTotp, totpUri, verifyTotp } from "../domain/totp";
import type { Router } from "../http/router";
import { publicUserDataJSON } from "../json/bapi-json";
import { backupCodesJSON, totpJSON } from "../json/factors-json";
import { fapiDeletedObjectJSON } from "../json/fapi-json";
import { APPLICATION_NAME } from "./client-routes";
import { signedInUser } from "./context";
import { withClient } from "./envelope";

// Two-step verification in <UserProfile/>'s Security page, as clerk-js's `user.createTOTP()`,
// `verifyTOTP()`, `disableTOTP()` and `createBackupCode()` call it. (SMS codes are phone numbers
// reserved for the second factor: phone-number-routes.ts.)

const AttemptBody = z.object({ code: z.string() });

export function registerMfaRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/me/totp",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const totp = createTotp(f, user);
        // The account an authenticator app lists it under: what the user signs in with.
        const account = publicUserDataJSON(user).identifier || user.id;
        return withClient(f, totpJSON(totp, { uri: totpUri(totp, APPLICATION_NAME, account) }));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/totp/attempt_verification",
      (req) => {
        const { f, session, user } = signedInUser(core, req);
        const body = parseParams(AttemptBody, req.body);
        const { totp, backupCodes } = verifyTotp(f, user, body.code);
        // A code from the app was just entered: the session has verified a second factor.
        session.secondFactorVerifiedAt = core.now();
        return withClient(f, totpJSON(totp, { uri: null, backupCodes }));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/totp",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const removed = removeTotp(f, user);
        return withClient(f, fapiDeletedObjectJSON("totp", removed.id));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/backup_codes",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const { record, codes } = regenerateBackupCodes(f, user);
        return withClient(f, backupCodesJSON(record, codes));
      },
      "frontend",
    );
}
