import type { Core } from "../core";
import type { AccessTokenView } from "../domain/oauth-server";
import type { OAuthApplicationRecord } from "../store/records";

// Wire shapes of Clerk's OAuth server (Backend API OAuth applications and access-token
// verification), checked against bapi-2026-05-12.yml by the integration tests.

// The Frontend API at its own origin: Backend API answers have no browser's proxy to name (through
// the app's proxy the same paths are under /__clerk).
export const frontendApiOrigin = (core: Core) =>
  `http://${core.config.host}:${core.config.frontendPort}`;

export function oauthApplicationJSON(core: Core, a: OAuthApplicationRecord, withSecret = false) {
  const fapi = frontendApiOrigin(core);
  return {
    object: "oauth_application",
    id: a.id,
    instance_id: core.store.state.instanceId,
    name: a.name,
    client_id: a.clientId,
    client_uri: a.clientUri,
    client_image_url: a.clientImageUrl,
    dynamically_registered: a.dynamicallyRegistered,
    consent_screen_enabled: a.consentScreenEnabled,
    pkce_required: a.pkceRequired,
    public: a.public,
    scopes: a.scopes,
    redirect_uris: a.redirectUris,
    callback_url: a.redirectUris[0] ?? "",
    authorize_url: `${fapi}/oauth/authorize`,
    token_fetch_url: `${fapi}/oauth/token`,
    user_info_url: `${fapi}/oauth/userinfo`,
    discovery_url: `${fapi}/.well-known/oauth-authorization-server`,
    token_introspection_url: `${fapi}/oauth/token_info`,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    ...(withSecret && a.clientSecret !== null && { client_secret: a.clientSecret }),
  };
}

export function oauthAccessTokenJSON(t: AccessTokenView, now: number) {
  return {
    object: "clerk_idp_oauth_access_token",
    id: t.id,
    client_id: t.clientId,
    subject: t.subject,
    scopes: t.scopes,
    revoked: t.revoked,
    revocation_reason: t.revocationReason,
    expired: t.expiration !== null && t.expiration <= now,
    expiration: t.expiration,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export function oauthApplicationSettingsJSON(core: Core) {
  const s = core.store.state.oauthApplicationSettings;
  return {
    object: "oauth_application_settings",
    dynamic_oauth_client_registration: s.dynamicOAuthClientRegistration,
    default_scopes: null,
    oauth_jwt_access_tokens: s.oauthJwtAccessTokens,
    client_id_metadata_documents_advertised: false,
    client_id_metadata_documents_only_allow_pre_registered_clients: false,
    client_id_metadata_documents_block_implicitly_allowed_clients: false,
  };
}
