import { z } from "zod";
import type { Core } from "../core";
import { consumeBackupCode } from "../domain/backup-codes";
import { parseParams } from "../domain/params";
import { removePasskey } from "../domain/passkeys";
import { deleteBackupCodesAsAdmin, deleteTotpAsAdmin, disableMfa } from "../domain/second-factors";
import { checkTotpCode } from "../domain/totp";
import { getUser } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { deletedJSON } from "../json/bapi-json";
import { ctxOf, json } from "./shared";

const VerifyTotpBody = z.object({ code: z.string() }).strict();

// The Backend API's MFA and passkey endpoints for a user, as @clerk/backend's `users.verifyTOTP()`,
// `disableUserMFA()`, `deleteUserTOTP()`, `deleteUserBackupCodes()` and `deleteUserPasskey()` call
// them.
export function registerUserMfaRoutes(router: Router, core: Core) {
  router
    // A TOTP code, else a backup code (used up). For custom flows and reverification.
    .add("POST", "/v1/users/:id/verify_totp", (req, p) => {
      const body = parseParams(VerifyTotpBody, req.body);
      const user = getUser(core, p.id as string);
      if (user.totp?.verified && checkTotpCode(user.totp, body.code, core.now())) {
        core.store.save();
        return json({ verified: true, code_type: "totp" });
      }
      if (consumeBackupCode(core, user, body.code)) {
        return json({ verified: true, code_type: "backup_code" });
      }
      throw errors.codeIncorrect();
    })
    .add("DELETE", "/v1/users/:id/mfa", (req, p) => {
      disableMfa(ctxOf(core, req), getUser(core, p.id as string));
      return json({ user_id: p.id });
    })
    .add("DELETE", "/v1/users/:id/totp", (req, p) => {
      deleteTotpAsAdmin(ctxOf(core, req), getUser(core, p.id as string));
      return json({ user_id: p.id });
    })
    // `deleteUserPasskey`: the passkey goes (Clerk also emails the user; the emulator sends none).
    .add("DELETE", "/v1/users/:id/passkeys/:passkeyId", (req, p) => {
      const user = getUser(core, p.id as string);
      removePasskey(ctxOf(core, req), user, p.passkeyId as string);
      return json(deletedJSON("passkey", p.passkeyId as string));
    })
    .add("DELETE", "/v1/users/:id/backup_code", (req, p) => {
      deleteBackupCodesAsAdmin(ctxOf(core, req), getUser(core, p.id as string));
      return json({ user_id: p.id });
    });
}
