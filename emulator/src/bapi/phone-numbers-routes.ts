import { z } from "zod";
import type { Core } from "../core";
import { parseParams } from "../domain/params";
import {
  addPhoneNumber,
  findPhoneNumber,
  removePhoneNumber,
  updatePhoneNumber,
} from "../domain/phone-numbers";
import type { Router } from "../http/router";
import { deletedJSON, phoneNumberJSON } from "../json/bapi-json";
import { ctxOf, json } from "./shared";

const flag = z.boolean().nullable().optional();

const CreatePhoneNumberBody = z
  .object({
    user_id: z.string(),
    phone_number: z.string(),
    verified: flag,
    primary: flag,
    reserved_for_second_factor: flag,
  })
  .strict();

const UpdatePhoneNumberBody = z
  .object({ verified: flag, primary: flag, reserved_for_second_factor: flag })
  .strict();

// What @clerk/backend's `phoneNumbers` API calls.
export function registerPhoneNumberRoutes(router: Router, core: Core) {
  router
    .add("POST", "/v1/phone_numbers", (req) => {
      const body = parseParams(CreatePhoneNumberBody, req.body);
      const phone = addPhoneNumber(ctxOf(core, req), {
        userId: body.user_id,
        phoneNumber: body.phone_number,
        verified: body.verified ?? false,
        primary: body.primary ?? undefined,
        reservedForSecondFactor: body.reserved_for_second_factor ?? undefined,
      });
      return json(phoneNumberJSON(phone));
    })
    .add("GET", "/v1/phone_numbers/:id", (_req, p) =>
      json(phoneNumberJSON(findPhoneNumber(core, p.id as string).phone)),
    )
    .add("PATCH", "/v1/phone_numbers/:id", (req, p) => {
      const body = parseParams(UpdatePhoneNumberBody, req.body);
      const { user } = findPhoneNumber(core, p.id as string);
      const { phone } = updatePhoneNumber(
        ctxOf(core, req),
        user,
        p.id as string,
        {
          verified: body.verified ?? undefined,
          primary: body.primary ?? undefined,
          reservedForSecondFactor: body.reserved_for_second_factor ?? undefined,
        },
        { backupCodes: false },
      );
      return json(phoneNumberJSON(phone));
    })
    .add("DELETE", "/v1/phone_numbers/:id", (req, p) => {
      const { user } = findPhoneNumber(core, p.id as string);
      removePhoneNumber(ctxOf(core, req), user, p.id as string);
      return json(deletedJSON("phone_number", p.id as string));
    });
}
