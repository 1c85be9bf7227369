import { z } from "zod";
import type { Core } from "../core";
import {
  checkRedirectUris,
  checkScopes,
  createOAuthApplication,
  DEFAULT_SCOPES,
  deleteOAuthApplication,
  getOAuthApplication,
  listOAuthApplications,
  rotateOAuthApplicationSecret,
  updateOAuthApplication,
} from "../domain/oauth-applications";
import { revokeToken, verifyAccessToken } from "../domain/oauth-server";
import { parseParams } from "../domain/params";
import { errors } from "../http/clerk-errors";
import type { Router } from "../http/router";
import { deletedJSON } from "../json/bapi-json";
import {
  oauthAccessTokenJSON,
  oauthApplicationJSON,
  oauthApplicationSettingsJSON,
} from "../json/oauth-json";
import { json, paginate, sortBy } from "./shared";

// Clerk's OAuth server in the Backend API: applications (the Dashboard's OAuth applications),
// the instance's OAuth settings, token revocation, and the verification @clerk/backend calls for
// every opaque `oat_` token (`idPOAuthAccessToken.verify`, unversioned like the API-key one).

const Name = z.string().trim().min(1).max(256);
const Uris = z.array(z.string().max(1024)).nullish();
const Scopes = z.string().max(1024).nullish();
const Flag = z.boolean().nullish();

const CreateBody = z
  .object({
    name: Name,
    redirect_uris: Uris,
    callback_url: z.string().max(1024).nullish(),
    scopes: Scopes,
    consent_screen_enabled: Flag,
    pkce_required: Flag,
    public: Flag,
  })
  .strict();

const UpdateBody = CreateBody.extend({ name: Name.nullish() }).strict();

const SettingsBody = z
  .object({
    dynamic_oauth_client_registration: Flag,
    oauth_jwt_access_tokens: Flag,
  })
  .strict();

const VerifyBody = z
  .object({ access_token: z.string().min(1).optional(), secret: z.string().min(1).optional() })
  .strict();
const RevokeBody = z.object({ token: z.string().min(1) }).strict();

const redirectUrisOf = (body: { redirect_uris?: string[] | null; callback_url?: string | null }) =>
  body.redirect_uris ?? (body.callback_url ? [body.callback_url] : undefined);

export function registerOAuthApplicationRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/oauth_applications", (req) => {
      const apps = sortBy(
        listOAuthApplications(core, req.query.get("name_query")),
        req.query.get("order_by"),
        "-created_at",
        { created_at: (a) => a.createdAt, name: (a) => a.name.toLowerCase() },
      );
      const page = paginate(apps, req.query);
      return json({
        data: page.items.map((a) => oauthApplicationJSON(core, a)),
        total_count: page.totalCount,
      });
    })
    .add("POST", "/v1/oauth_applications", (req) => {
      const body = parseParams(CreateBody, req.body);
      const app = createOAuthApplication(core, {
        name: body.name,
        redirectUris: checkRedirectUris(redirectUrisOf(body) ?? [], "redirect_uris"),
        scopes: checkScopes(body.scopes ?? DEFAULT_SCOPES, "scopes"),
        consentScreenEnabled: body.consent_screen_enabled ?? true,
        pkceRequired: body.pkce_required ?? false,
        public: body.public ?? false,
        dynamicallyRegistered: false,
      });
      return json(oauthApplicationJSON(core, app, true));
    })
    .add("GET", "/v1/oauth_applications/:id", (_req, p) =>
      json(oauthApplicationJSON(core, getOAuthApplication(core, p.id as string))),
    )
    .add("PATCH", "/v1/oauth_applications/:id", (req, p) => {
      const body = parseParams(UpdateBody, req.body);
      const uris = redirectUrisOf(body);
      const app = updateOAuthApplication(core, p.id as string, {
        name: body.name ?? undefined,
        redirectUris: uris && checkRedirectUris(uris, "redirect_uris"),
        scopes: body.scopes ? checkScopes(body.scopes, "scopes") : undefined,
        consentScreenEnabled: body.consent_screen_enabled ?? undefined,
        pkceRequired: body.pkce_required ?? undefined,
        public: body.public ?? undefined,
      });
      return json(oauthApplicationJSON(core, app));
    })
    .add("DELETE", "/v1/oauth_applications/:id", (_req, p) => {
      deleteOAuthApplication(core, p.id as string);
      return json(deletedJSON("oauth_application", p.id as string));
    })
    .add("POST", "/v1/oauth_applications/:id/rotate_secret", (_req, p) =>
      json(oauthApplicationJSON(core, rotateOAuthApplicationSecret(core, p.id as string), true)),
    )
    .add("POST", "/v1/oauth_applications/:id/revoke_token", (req, p) => {
      const app = getOAuthApplication(core, p.id as string);
      const { token } = parseParams(RevokeBody, req.body);
      if (!revokeToken(core, app, token)) throw errors.notFound("OAuth token");
      return { status: 204 };
    })
    .add("GET", "/v1/instance/oauth_application_settings", () =>
      json(oauthApplicationSettingsJSON(core)),
    )
    .add("PATCH", "/v1/instance/oauth_application_settings", (req) => {
      const body = parseParams(SettingsBody, req.body);
      const settings = core.store.state.oauthApplicationSettings;
      if (typeof body.dynamic_oauth_client_registration === "boolean") {
        settings.dynamicOAuthClientRegistration = body.dynamic_oauth_client_registration;
      }
      if (typeof body.oauth_jwt_access_tokens === "boolean") {
        settings.oauthJwtAccessTokens = body.oauth_jwt_access_tokens;
      }
      core.store.save();
      return json(oauthApplicationSettingsJSON(core));
    })
    // Unknown, revoked and expired tokens are all "not found", which @clerk/backend reads as an
    // invalid token.
    .add("POST", "/oauth_applications/access_tokens/verify", async (req) => {
      const body = parseParams(VerifyBody, req.body);
      const token = body.access_token ?? body.secret;
      if (!token) throw errors.paramMissing("access_token");
      const view = await verifyAccessToken(core, token);
      if (!view) throw errors.notFound("OAuth token");
      return json(oauthAccessTokenJSON(view, core.now()));
    });
}
