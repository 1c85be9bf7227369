import { z } from "zod";
import { isSocialProvider, type SocialProvider } from "../../../clerk/instance-settings";
import { ctxOf } from "../bapi/shared";
import type { Core } from "../core";
import {
  connectExternalAccount,
  disconnectExternalAccount,
  externalAccountOf,
  startOAuthFlow,
} from "../domain/external-accounts";
import { offeredSettings } from "../domain/instance-settings";
import { answerFlow, finishFlow, pendingFlow } from "../domain/oauth-flows";
import { FormBoolean, parseParams } from "../domain/params";
import { presetAccounts, providerOfStrategy, typedAccount } from "../domain/social-providers";
import { touchUser } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { externalAccountJSON } from "../json/bapi-json";
import { fapiDeletedObjectJSON } from "../json/fapi-json";
import { APPLICATION_NAME } from "./client-routes";
import { appRedirectUrl, frontendApiUrlOf, signedInUser } from "./context";
import { withClient } from "./envelope";
import { renderStandInPage } from "./oauth-stand-in-page";

// Social connections: the stand-in provider pages, the Frontend API's OAuth callback, and the
// accounts a signed-in user connects and disconnects in <UserProfile/>. Every page here is
// reached the way a browser reaches the Frontend API (through the app's /__clerk proxy).

const ConsentBody = z.object({
  state: z.string(),
  account: z.string(),
  email_address: z.string().optional(),
  email_verified: FormBoolean.optional(),
  first_name: z.string().max(256).optional(),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
});

// clerk-js sends additional scopes as a repeated field (an array).
const Scopes = z.union([z.string(), z.array(z.string())]).optional();
const ConnectBody = z.object({
  strategy: z.string(),
  redirect_url: z.string(),
  additional_scope: Scopes,
});
const ReauthorizeBody = z.object({ redirect_url: z.string(), additional_scope: Scopes });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const scopeList = (v: string | string[] | undefined) =>
  (Array.isArray(v) ? v : (v ?? "").split(/[\s,]+/)).filter(Boolean);

function providerParam(p: Record<string, string>): SocialProvider {
  const provider = p.provider ?? "";
  if (!isSocialProvider(provider)) throw errors.notFound("provider");
  return provider;
}

// The identity the person picked on the stand-in page (null: they cancelled), or why the typed
// one cannot be used.
function chosenIdentity(provider: SocialProvider, body: z.infer<typeof ConsentBody>) {
  if (body.account === "cancel") return { identity: null };
  if (body.account === "typed") {
    const email = body.email_address?.trim() ?? "";
    if (!EMAIL.test(email)) return { problem: "Enter an email address." };
    const text = (v: string | undefined) => v?.trim() || null;
    return {
      identity: typedAccount(provider, {
        emailAddress: email,
        emailVerified: body.email_verified ?? false,
        firstName: text(body.first_name),
        lastName: text(body.last_name),
        username: text(body.username),
      }),
    };
  }
  const preset = presetAccounts(provider)[Number(body.account)];
  if (!preset) throw errors.paramInvalid("account", "is not one of this page's accounts", 400);
  return { identity: preset };
}

export function registerOAuthRoutes(router: Router, core: Core) {
  const page = (html: string, status = 200) => ({ status, html });

  router
    .add(
      "GET",
      "/v1/oauth_stand_in/:provider/authorize",
      (req, p) => {
        const flow = pendingFlow(core, req.query.get("state"), providerParam(p));
        return page(renderStandInPage(flow, APPLICATION_NAME));
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/oauth_stand_in/:provider/authorize",
      (req, p) => {
        const provider = providerParam(p);
        const body = parseParams(ConsentBody, req.body, 400);
        const flow = pendingFlow(core, body.state, provider);
        const chosen = chosenIdentity(provider, body);
        if ("problem" in chosen) {
          return page(renderStandInPage(flow, APPLICATION_NAME, chosen.problem), 422);
        }
        const identity = chosen.identity && { ...chosen.identity, approvedScopes: flow.scopes };
        return { status: 303 as const, location: answerFlow(core, flow, identity) };
      },
      "frontend",
    )
    // Where the provider sends the browser back: the flow finishes, and the browser goes on to
    // the app (its SSO callback page, the page after signing in, or the profile it connected from).
    .add(
      "GET",
      "/v1/oauth_callback",
      async (req) => {
        const location = await finishFlow(ctxOf(core, req), {
          state: req.query.get("state"),
          code: req.query.get("code"),
          error: req.query.get("error"),
        });
        return { status: 303 as const, location };
      },
      "frontend",
    )
    .add(
      "POST",
      "/v1/me/external_accounts",
      (req) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(ConnectBody, req.body);
        const provider = providerOfStrategy(body.strategy);
        if (!provider || !offeredSettings(core).social_connections[provider]) {
          throw errors.paramInvalid("strategy", "is not a social connection of this instance");
        }
        const account = connectExternalAccount(f, user, {
          provider,
          clientId: f.client.id,
          redirectUrl: appRedirectUrl(
            core,
            req.headers,
            body.redirect_url,
            "redirect_url",
          ).toString(),
          frontendApiUrl: frontendApiUrlOf(core, req.headers),
          additionalScopes: scopeList(body.additional_scope),
        });
        return withClient(f, externalAccountJSON(account));
      },
      "frontend",
    )
    // Connect again (a failed connection, or more scopes): a new OAuth flow for the same account.
    .add(
      "PATCH",
      "/v1/me/external_accounts/:id/reauthorize",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        const body = parseParams(ReauthorizeBody, req.body);
        const account = externalAccountOf(user, p.id as string);
        account.verification = startOAuthFlow(f, {
          provider: account.provider,
          purpose: "connect",
          targetId: user.id,
          externalAccountId: account.id,
          clientId: f.client.id,
          redirectUrl: appRedirectUrl(
            core,
            req.headers,
            body.redirect_url,
            "redirect_url",
          ).toString(),
          actionCompleteRedirectUrl: null,
          frontendApiUrl: frontendApiUrlOf(core, req.headers),
          additionalScopes: [
            ...(account.identity?.approvedScopes.split(" ") ?? []),
            ...scopeList(body.additional_scope),
          ],
        });
        touchUser(f, user, { externalAccounts: [...(user.externalAccounts ?? [])] });
        return withClient(f, externalAccountJSON(account));
      },
      "frontend",
    )
    .add(
      "DELETE",
      "/v1/me/external_accounts/:id",
      (req, p) => {
        const { f, user } = signedInUser(core, req);
        disconnectExternalAccount(f, user, p.id as string);
        return withClient(f, fapiDeletedObjectJSON("external_account", p.id as string));
      },
      "frontend",
    );
}
