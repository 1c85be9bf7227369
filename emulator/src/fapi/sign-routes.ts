import { z } from "zod";
import { ctxOf } from "../bapi/shared";
import type { Core } from "../core";
import { followEmailLink } from "../domain/email-link-verification";
import { FormBoolean, parseParams } from "../domain/params";
import {
  attemptFirstFactor,
  attemptSecondFactor,
  getSignIn,
  type OAuthRedirect,
  prepareFirstFactor,
  prepareSecondFactor,
  resetPassword,
  startSignIn,
} from "../domain/sign-ins";
import {
  attemptVerification,
  getSignUp,
  prepareVerification,
  startSignUp,
  updateSignUp,
} from "../domain/sign-ups";
import type { RequestInfo, Router } from "../http/router";
import { fapiSignInJSON, fapiSignUpJSON } from "../json/fapi-json";
import { appRedirectUrl, fapiCtx, frontendApiUrlOf, linkRedirect } from "./context";
import { withClient } from "./envelope";

// clerk-js also sends locale, timezone and the like; only the fields below mean anything here.
// An OAuth strategy's redirects (sign-in and sign-up alike).
const RedirectFields = {
  redirect_url: z.string().optional(),
  action_complete_redirect_url: z.string().optional(),
};
const SignInBody = z.object({
  identifier: z.string().optional(),
  password: z.string().optional(),
  strategy: z.string().optional(),
  ticket: z.string().optional(),
  transfer: FormBoolean.optional(),
  ...RedirectFields,
});
const PrepareBody = z.object({
  strategy: z.string(),
  email_address_id: z.string().optional(),
  phone_number_id: z.string().optional(),
  redirect_url: z.string().optional(),
});

const AttemptBody = z.discriminatedUnion("strategy", [
  z.object({ strategy: z.literal("password"), password: z.string() }),
  z.object({ strategy: z.literal("email_code"), code: z.string() }),
  z.object({ strategy: z.literal("phone_code"), code: z.string() }),
  z.object({
    strategy: z.literal("reset_password_email_code"),
    code: z.string(),
    password: z.string().optional(),
  }),
  z.object({ strategy: z.literal("passkey"), public_key_credential: z.string() }),
]);
const AttemptSecondFactorBody = z.object({
  strategy: z.enum(["totp", "backup_code", "phone_code", "email_code"]),
  code: z.string(),
});
const ResetPasswordBody = z.object({
  password: z.string(),
  sign_out_of_other_sessions: FormBoolean.nullish(),
});
const SignUpBody = z.object({
  strategy: z.string().optional(),
  ticket: z.string().optional(),
  transfer: FormBoolean.optional(),
  ...RedirectFields,
  email_address: z.string().optional(),
  phone_number: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  legal_accepted: FormBoolean.optional(),
});
const VerificationBody = z.object({
  strategy: z.string(),
  code: z.string().optional(),
  redirect_url: z.string().optional(),
});

// Where an OAuth flow's callback sends the browser: the app's pages only.
function oauthRedirect(
  core: Core,
  req: RequestInfo,
  body: z.infer<typeof SignInBody> | z.infer<typeof SignUpBody>,
): OAuthRedirect | undefined {
  if (body.redirect_url === undefined) return undefined;
  const complete = body.action_complete_redirect_url;
  return {
    redirectUrl: appRedirectUrl(core, req.headers, body.redirect_url, "redirect_url").toString(),
    actionCompleteRedirectUrl: complete
      ? appRedirectUrl(core, req.headers, complete, "action_complete_redirect_url").toString()
      : null,
    frontendApiUrl: frontendApiUrlOf(core, req.headers),
  };
}

const signUpFields = (core: Core, req: RequestInfo, body: z.infer<typeof SignUpBody>) => ({
  ticket: body.strategy === "ticket" ? (body.ticket ?? "") : undefined,
  strategy: body.strategy,
  redirect: oauthRedirect(core, req, body),
  transfer: body.transfer,
  emailAddress: body.email_address,
  phoneNumber: body.phone_number,
  username: body.username,
  password: body.password,
  firstName: body.first_name,
  lastName: body.last_name,
  legalAccepted: body.legal_accepted,
});

export function registerSignRoutes(router: Router, core: Core) {
  router
    .add(
      "POST",
      "/v1/client/sign_ins",
      async (req) => {
        const f = fapiCtx(core, req);
        const body = parseParams(SignInBody, req.body);
        const signIn = await startSignIn(f, f.client, {
          ...body,
          redirect: oauthRedirect(core, req, body),
        });
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/client/sign_ins/:id",
      (req, p) => {
        const f = fapiCtx(core, req);
        return withClient(f, fapiSignInJSON(core, getSignIn(f, f.client, p.id as string)));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ins/:id/prepare_first_factor",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(PrepareBody, req.body);
        const signIn = await prepareFirstFactor(f, getSignIn(f, f.client, p.id as string), {
          strategy: body.strategy,
          phoneNumberId: body.phone_number_id,
          redirect: linkRedirect(core, req, body.redirect_url),
        });
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ins/:id/attempt_first_factor",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(AttemptBody, req.body);
        const attempt =
          body.strategy === "passkey"
            ? { strategy: body.strategy, publicKeyCredential: body.public_key_credential }
            : body;
        const signIn = await attemptFirstFactor(
          f,
          f.client,
          getSignIn(f, f.client, p.id as string),
          attempt,
        );
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    // The second step: two-step verification, or Device Trust's code on a new device.
    .add(
      "POST",
      "/v1/client/sign_ins/:id/prepare_second_factor",
      (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(PrepareBody, req.body);
        const signIn = prepareSecondFactor(f, getSignIn(f, f.client, p.id as string), {
          strategy: body.strategy,
          phoneNumberId: body.phone_number_id,
          emailAddressId: body.email_address_id,
        });
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ins/:id/attempt_second_factor",
      (req, p) => {
        const f = fapiCtx(core, req);
        const attempt = parseParams(AttemptSecondFactorBody, req.body);
        const signIn = attemptSecondFactor(
          f,
          f.client,
          getSignIn(f, f.client, p.id as string),
          attempt,
        );
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ins/:id/reset_password",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(ResetPasswordBody, req.body);
        const signIn = await resetPassword(f, f.client, getSignIn(f, f.client, p.id as string), {
          password: body.password,
          signOutOfOtherSessions: body.sign_out_of_other_sessions ?? false,
        });
        return withClient(f, fapiSignInJSON(core, signIn));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ups",
      async (req) => {
        const f = fapiCtx(core, req);
        const signUp = await startSignUp(
          f,
          f.client,
          signUpFields(core, req, parseParams(SignUpBody, req.body)),
        );
        return withClient(f, fapiSignUpJSON(core, signUp));
      },
      "frontend",
    )
    .add(
      "GET",
      "/v1/client/sign_ups/:id",
      (req, p) => {
        const f = fapiCtx(core, req);
        return withClient(f, fapiSignUpJSON(core, getSignUp(f, f.client, p.id as string)));
      },
      "frontend",
    )
    .add(
      "PATCH",
      "/v1/client/sign_ups/:id",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const signUp = await updateSignUp(
          f,
          f.client,
          getSignUp(f, f.client, p.id as string),
          signUpFields(core, req, parseParams(SignUpBody, req.body)),
        );
        return withClient(f, fapiSignUpJSON(core, signUp));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ups/:id/prepare_verification",
      (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(VerificationBody, req.body);
        const signUp = prepareVerification(
          f,
          getSignUp(f, f.client, p.id as string),
          body.strategy,
          linkRedirect(core, req, body.redirect_url),
        );
        return withClient(f, fapiSignUpJSON(core, signUp));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/client/sign_ups/:id/attempt_verification",
      async (req, p) => {
        const f = fapiCtx(core, req);
        const body = parseParams(VerificationBody, req.body);
        const signUp = await attemptVerification(
          f,
          f.client,
          getSignUp(f, f.client, p.id as string),
          {
            strategy: body.strategy,
            code: body.code ?? "",
          },
        );
        return withClient(f, fapiSignUpJSON(core, signUp));
      },
      "frontend",
    )
    // An emailed link, opened in any tab: see email-link-verification.ts.
    .add(
      "GET",
      "/v1/verify",
      async (req) => ({
        status: 303 as const,
        location: await followEmailLink(ctxOf(core, req), req.query.get("token")),
      }),
      "frontend",
    );
}
