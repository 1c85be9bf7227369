import { CUSTOM_OAUTH_SCOPES, ORGANIZATION_SCOPE } from "../../../clerk/oauth-scopes";
import type { Core } from "../core";
import { errors } from "../http/clerk-errors";
import { newId, randomBase62 } from "../store/ids";
import type { OAuthApplicationRecord } from "../store/records";

// OAuth applications of Clerk's OAuth server: created in the Backend API (the Dashboard) or
// registered by a client itself (RFC 7591 dynamic client registration, which MCP clients use).

// Clerk's standard scopes, then the instance's custom ones (clerk/oauth-scopes.ts).
export const STANDARD_SCOPES = [
  "openid",
  "profile",
  "email",
  "public_metadata",
  "private_metadata",
  "offline_access",
  ORGANIZATION_SCOPE,
] as const;
export const SUPPORTED_SCOPES: readonly string[] = [
  ...STANDARD_SCOPES,
  ...CUSTOM_OAUTH_SCOPES.map((s) => s.scope),
];
// What an application may ask for when it names nothing: Clerk's default.
export const DEFAULT_SCOPES = "profile email";

export type OAuthApplicationInput = {
  name: string;
  redirectUris: string[];
  scopes: string;
  consentScreenEnabled: boolean;
  pkceRequired: boolean;
  public: boolean;
  dynamicallyRegistered: boolean;
  clientUri?: string | null;
  clientImageUrl?: string | null;
};

const newClientId = () => randomBase62(16);
const newClientSecret = () => randomBase62(32);

// Redirect URIs of any scheme (apps use custom schemes), but absolute and without a fragment.
export function checkRedirectUris(uris: string[], param: string): string[] {
  for (const uri of uris) {
    if (!URL.canParse(uri) || new URL(uri).hash) {
      throw errors.paramInvalid(param, `${uri} is not an absolute URI without a fragment`);
    }
  }
  return [...new Set(uris)];
}

export function checkScopes(scopes: string, param: string): string {
  const list = scopes.split(/\s+/).filter(Boolean);
  const unknown = list.filter((s) => !SUPPORTED_SCOPES.includes(s));
  if (unknown.length > 0) {
    throw errors.paramInvalid(param, `${unknown.join(", ")} is not a scope of this instance`);
  }
  return [...new Set(list)].join(" ");
}

export function createOAuthApplication(
  core: Core,
  input: OAuthApplicationInput,
): OAuthApplicationRecord {
  const now = core.now();
  return core.store.put("oauthApplications", {
    id: newId("oa"),
    clientId: newClientId(),
    clientSecret: input.public ? null : newClientSecret(),
    name: input.name,
    clientUri: input.clientUri ?? null,
    clientImageUrl: input.clientImageUrl ?? null,
    dynamicallyRegistered: input.dynamicallyRegistered,
    // Dynamically registered clients always show the consent screen (Clerk's rule).
    consentScreenEnabled: input.dynamicallyRegistered || input.consentScreenEnabled,
    pkceRequired: input.pkceRequired,
    public: input.public,
    scopes: input.scopes,
    redirectUris: input.redirectUris,
    createdAt: now,
    updatedAt: now,
  });
}

export function getOAuthApplication(core: Core, id: string): OAuthApplicationRecord {
  const app = core.store.state.oauthApplications[id];
  if (!app) throw errors.notFound("OAuth application");
  return app;
}

export function oauthApplicationByClientId(
  core: Core,
  clientId: string | null | undefined,
): OAuthApplicationRecord | undefined {
  return clientId ? core.store.lookup("oauthApplications", "clientId", clientId)[0] : undefined;
}

export function updateOAuthApplication(
  core: Core,
  id: string,
  changes: Partial<Omit<OAuthApplicationInput, "dynamicallyRegistered">>,
): OAuthApplicationRecord {
  const app = getOAuthApplication(core, id);
  const defined = Object.fromEntries(
    Object.entries(changes).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<OAuthApplicationInput>;
  if (app.dynamicallyRegistered && defined.consentScreenEnabled === false) {
    throw errors.paramInvalid(
      "consent_screen_enabled",
      "cannot be disabled for dynamically registered OAuth applications",
    );
  }
  const { public: isPublic, ...rest } = defined;
  Object.assign(app, rest, isPublic === undefined ? {} : { public: isPublic });
  app.updatedAt = core.now();
  core.store.save();
  return app;
}

// A new secret: the old one stops working at once (Clerk: "update it in your authorized clients").
export function rotateOAuthApplicationSecret(core: Core, id: string): OAuthApplicationRecord {
  const app = getOAuthApplication(core, id);
  if (app.public) throw errors.paramInvalid("oauth_application_id", "is a public client");
  return core.store.update("oauthApplications", app, {
    clientSecret: newClientSecret(),
    updatedAt: core.now(),
  });
}

// Deleting an application ends everything it was granted.
export function deleteOAuthApplication(core: Core, id: string): void {
  getOAuthApplication(core, id);
  for (const grant of core.store.lookup("oauthGrants", "application", id)) {
    for (const token of core.store.lookup("oauthTokens", "grant", grant.id)) {
      core.store.remove("oauthTokens", token.id);
    }
    for (const code of core.store.lookup("oauthCodes", "grant", grant.id)) {
      core.store.remove("oauthCodes", code.id);
    }
    core.store.remove("oauthGrants", grant.id);
  }
  core.store.remove("oauthApplications", id);
}

export function listOAuthApplications(
  core: Core,
  nameQuery: string | null,
): OAuthApplicationRecord[] {
  const text = nameQuery?.toLowerCase();
  return Object.values(core.store.state.oauthApplications).filter(
    (a) => !text || a.clientId === nameQuery || a.name.toLowerCase().includes(text),
  );
}
