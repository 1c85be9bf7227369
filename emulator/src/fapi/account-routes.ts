import { z } from "zod";
import type { Core } from "../core";
import {
  addEmailAddress,
  attemptEmailAddressVerification,
  ownEmailAddress,
  prepareEmailAddressVerification,
  removeEmailAddress,
} from "../domain/email-addresses";
import { FormBoolean, parseParams } from "../domain/params";
import { changePassword } from "../domain/passwords";
import {
  findProfileImage,
  PROFILE_IMAGE_PATH,
  removeProfileImage,
  setProfileImage,
} from "../domain/profile-images";
import { deleteUser } from "../domain/users";
import type { Router } from "../http/router";
import { emailAddressJSON } from "../json/bapi-json";
import { fapiDeletedObjectJSON, fapiImageJSON, fapiUserJSON } from "../json/fapi-json";
import { frontendApiUrlOf, linkRedirect, signedInUser } from "./context";
import { withClient } from "./envelope";

// The account lifecycle in <UserProfile/>: the user's picture, their own email addresses, their
// password, and deleting the account. Each change emits `user.updated` (or `user.deleted`), as
// Clerk's do.

const EmailBody = z.object({ email_address: z.string() });
const PrepareBody = z.object({ strategy: z.string(), redirect_url: z.string().optional() });
const AttemptBody = z.object({ code: z.string() });
const ChangePasswordBody = z.object({
  current_password: z.string().nullish(),
  new_password: z.string(),
  sign_out_of_other_sessions: FormBoolean.nullish(),
});
// What <UserProfile/> uploads: multipart, one `file`.
const ImageBody = z.object({ file: z.instanceof(File, { message: "must be an uploaded file" }) });

export function registerAccountRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/me/profile_image",
      async (req) => {
        const { f, user } = signedInUser(core, req);
        const { file } = parseParams(ImageBody, req.body);
        const bytes = Buffer.from(await file.arrayBuffer());
        const image = setProfileImage(f, user.id, {
          name: file.name,
          bytes,
          frontendApiUrl: frontendApiUrlOf(core, req.headers),
        });
        return withClient(f, fapiImageJSON(image));
      },
      "frontend",
    )
    // Not Clerk's (see profile-images.ts). Open, as Clerk's image URLs are: the id is the secret.
    .add(
      "GET",
      `${PROFILE_IMAGE_PATH}/:id`,
      (_req, p) => {
        const image = findProfileImage(core, p.id as string);
        return {
          status: 200,
          bytes: Buffer.from(image.data, "base64"),
          contentType: image.contentType,
        };
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/profile_image",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const removed = removeProfileImage(f, user.id);
        return withClient(f, fapiDeletedObjectJSON("image", removed.id));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/email_addresses",
      async (req) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(EmailBody, req.body);
        const email = await addEmailAddress(f, {
          userId: user.id,
          emailAddress: body.email_address,
          verified: false,
          primary: false,
        });
        return withClient(f, emailAddressJSON(email));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/me/email_addresses/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        return withClient(f, emailAddressJSON(ownEmailAddress(user, p.id as string)));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/email_addresses/:id/prepare_verification",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(PrepareBody, req.body);
        const email = prepareEmailAddressVerification(
          f,
          user,
          p.id as string,
          body.strategy,
          linkRedirect(core, req, body.redirect_url),
        );
        return withClient(f, emailAddressJSON(email));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/email_addresses/:id/attempt_verification",
      async (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(AttemptBody, req.body);
        const email = await attemptEmailAddressVerification(f, user, p.id as string, body.code);
        return withClient(f, emailAddressJSON(email));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/email_addresses/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const removed = removeEmailAddress(f, user, p.id as string);
        return withClient(f, fapiDeletedObjectJSON("email_address", removed.id));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/change_password",
      async (req) => {
        const { f, session, user } = signedInUser(core, req);
        const body = parseParams(ChangePasswordBody, req.body);
        const updated = await changePassword(f, user.id, {
          currentPassword: body.current_password ?? undefined,
          newPassword: body.new_password,
          signOutOfOtherSessions: body.sign_out_of_other_sessions ?? false,
          sessionId: session.id,
        });
        return withClient(f, fapiUserJSON(core, updated));
      },
      "frontend",
    )
    // "Delete account": the user, their memberships, sessions and API keys, as the Backend API's
    // delete does; the browser is signed out with them.
    .add(
      "DELETE",
      "/v1/me",
      (req) => {
        const { f, user } = signedInUser(core, req);
        deleteUser(f, user.id);
        return withClient(f, fapiDeletedObjectJSON("user", user.id));
      },
      "frontend",
    );
}
