import { z } from "zod";
import type { Core } from "../core";
import { FormBoolean, parseParams } from "../domain/params";
import {
  addPhoneNumber,
  assertPhoneNumbersOffered,
  attemptPhoneNumberVerification,
  ownPhoneNumber,
  preparePhoneNumberVerification,
  removePhoneNumber,
  updatePhoneNumber,
} from "../domain/phone-numbers";
import type { Router } from "../http/router";
import { phoneNumberJSON } from "../json/bapi-json";
import { fapiDeletedObjectJSON } from "../json/fapi-json";
import { signedInUser } from "./context";
import { withClient } from "./envelope";

// The user's own phone numbers in <UserProfile/> (Account → Phone numbers, and Security → Two-step
// verification → SMS code): added unverified, verified with the texted code, made primary
// (PATCH /v1/me) or reserved for the second factor, removed.

const CreateBody = z.object({ phone_number: z.string() });
const PrepareBody = z.object({ strategy: z.string() });
const AttemptBody = z.object({ code: z.string() });
const UpdateBody = z.object({
  reserved_for_second_factor: FormBoolean.optional(),
  default_second_factor: FormBoolean.optional(),
});

export function registerMyPhoneNumberRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/me/phone_numbers",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(CreateBody, req.body);
        assertPhoneNumbersOffered(core);
        const phone = addPhoneNumber(f, {
          userId: user.id,
          phoneNumber: body.phone_number,
          verified: false,
        });
        return withClient(f, phoneNumberJSON(phone));
      },
      "frontend",
    )
    // A bare array (Server.UserPhoneNumbers), like /v1/me/sessions/active.
    .add(
      "GET",
      "/v1/me/phone_numbers",
      (req) => {
        const { user } = signedInUser(core, req);
        return { status: 200, json: user.phoneNumbers.map((p) => phoneNumberJSON(p)) };
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/me/phone_numbers/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        return withClient(f, phoneNumberJSON(ownPhoneNumber(user, p.id as string)));
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/me/phone_numbers/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(UpdateBody, req.body);
        const { phone, backupCodes } = updatePhoneNumber(f, user, p.id as string, {
          reservedForSecondFactor: body.reserved_for_second_factor,
          defaultSecondFactor: body.default_second_factor,
        });
        return withClient(f, phoneNumberJSON(phone, backupCodes));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/phone_numbers/:id/prepare_verification",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(PrepareBody, req.body);
        const phone = preparePhoneNumberVerification(f, user, p.id as string, body.strategy);
        return withClient(f, phoneNumberJSON(phone));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/phone_numbers/:id/attempt_verification",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(AttemptBody, req.body);
        const phone = attemptPhoneNumberVerification(f, user, p.id as string, body.code);
        return withClient(f, phoneNumberJSON(phone));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/phone_numbers/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const removed = removePhoneNumber(f, user, p.id as string);
        return withClient(f, fapiDeletedObjectJSON("phone_number", removed.id));
      },
      "frontend",
    );
}
