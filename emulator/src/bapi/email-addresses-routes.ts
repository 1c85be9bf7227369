import { z } from "zod";
import type { Core } from "../core";
import {
  addEmailAddress,
  findEmailAddress,
  removeEmailAddress,
  updateEmailAddress,
} from "../domain/email-addresses";
import { parseParams } from "../domain/params";
import type { Router } from "../http/router";
import { deletedJSON, emailAddressJSON } from "../json/bapi-json";
import { ctxOf, json } from "./shared";

const flag = z.boolean().nullable().optional();

const CreateEmailAddressBody = z
  .object({
    user_id: z.string(),
    email_address: z.email(),
    verified: flag,
    primary: flag,
    // Accepted for compatibility; the emulator sends no email.
    notify_primary_email_address_changed: flag,
  })
  .strict();

const UpdateEmailAddressBody = z
  .object({ verified: flag, primary: flag, notify_primary_email_address_changed: flag })
  .strict();

export function registerEmailAddressRoutes(router: Router, core: Core) {
  router
    .add("POST", "/v1/email_addresses", async (req) => {
      const body = parseParams(CreateEmailAddressBody, req.body);
      const email = await addEmailAddress(ctxOf(core, req), {
        userId: body.user_id,
        emailAddress: body.email_address,
        verified: body.verified ?? false,
        primary: body.primary ?? false,
      });
      return json(emailAddressJSON(email));
    })
    .add("GET", "/v1/email_addresses/:id", (_req, p) =>
      json(emailAddressJSON(findEmailAddress(core, p.id as string).email)),
    )
    .add("PATCH", "/v1/email_addresses/:id", async (req, p) => {
      const body = parseParams(UpdateEmailAddressBody, req.body);
      const email = await updateEmailAddress(ctxOf(core, req), p.id as string, {
        verified: body.verified ?? undefined,
        primary: body.primary ?? undefined,
      });
      return json(emailAddressJSON(email));
    })
    .add("DELETE", "/v1/email_addresses/:id", (req, p) => {
      const { user } = findEmailAddress(core, p.id as string);
      removeEmailAddress(ctxOf(core, req), user, p.id as string);
      return json(deletedJSON("email_address", p.id as string));
    });
}
