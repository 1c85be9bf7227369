import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ORGANIZATION_SCOPE } from "../../../clerk/oauth-scopes";
import type { Core } from "../core";
import { randomBase62 } from "../store/ids";
import type {
  OAuthApplicationRecord,
  OAuthGrantRecord,
  OAuthTokenRecord,
  UserRecord,
} from "../store/records";
import { mintOAuthIdToken, mintOAuthJwt, verifyOAuthJwt } from "../tokens/oauth-access-token";
import { findMembership, membershipsOfUser } from "./memberships";
import { oauthApplicationByClientId } from "./oauth-applications";

// Clerk's OAuth 2.1 authorization server: authorization codes bound to PKCE (S256, required of
// every client), grants (what a user consented to, and in which organization), opaque access
// tokens that Clerk verifies (so a revocation is seen at once) or JWT-format ones (verified
// without Clerk, so a revocation is not seen before they expire), and rotating refresh tokens.

export const ACCESS_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
const CODE_LIFETIME_MS = 10 * 60 * 1000;

// An OAuth protocol error (RFC 6749 §5.2): `error` and `error_description`, with its status.
export class OAuthProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const invalidRequest = (d: string) => new OAuthProtocolError(400, "invalid_request", d);
const invalidGrant = (d: string) => new OAuthProtocolError(400, "invalid_grant", d);
const invalidClient = (d: string) => new OAuthProtocolError(401, "invalid_client", d);

export const scopeList = (scope: string | null | undefined) => [
  ...new Set((scope ?? "").split(/\s+/).filter(Boolean)),
];

// A validated authorization request: what the consent screen shows and what the code binds.
export type AuthorizeRequest = {
  app: OAuthApplicationRecord;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string;
  nonce: string | null;
  prompt: string[];
};

// Errors found before the redirect URI is trusted are shown to the person; the rest go back to
// the client at its redirect URI (RFC 6749 §4.1.2.1).
export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; redirect: string }
  | { ok: false; page: string };

export function checkAuthorizeRequest(core: Core, params: URLSearchParams): AuthorizeCheck {
  const app = oauthApplicationByClientId(core, params.get("client_id"));
  if (!app) return { ok: false, page: "No OAuth application has this client_id." };
  const given = params.get("redirect_uri");
  const only = app.redirectUris.length === 1 ? app.redirectUris[0] : undefined;
  const redirectUri = given ?? only;
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
    return { ok: false, page: "The redirect_uri is not registered for this OAuth application." };
  }
  const state = params.get("state");
  const back = (error: string, description: string) => ({
    ok: false as const,
    redirect: authorizationResponse(redirectUri, state, { error, error_description: description }),
  });
  if (params.get("response_type") !== "code") {
    return back("unsupported_response_type", "response_type must be code");
  }
  const codeChallenge = params.get("code_challenge");
  if (!codeChallenge || params.get("code_challenge_method") !== "S256") {
    return back("invalid_request", "PKCE is required: send code_challenge with method S256");
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return back("invalid_request", "code_challenge must be a base64url SHA-256 digest");
  }
  const allowed = scopeList(app.scopes);
  const scopes = params.has("scope") ? scopeList(params.get("scope")) : allowed;
  const refused = scopes.filter((s) => !allowed.includes(s));
  if (refused.length > 0) {
    return back("invalid_scope", `${refused.join(" ")} is not a scope of this application`);
  }
  return {
    ok: true,
    request: {
      app,
      redirectUri,
      scopes,
      state,
      codeChallenge,
      nonce: params.get("nonce"),
      prompt: scopeList(params.get("prompt")),
    },
  };
}

export function authorizationResponse(
  redirectUri: string,
  state: string | null,
  params: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (state !== null) url.searchParams.set("state", state);
  return url.toString();
}

// The organization a grant acts in, with `user:org:read`: the one chosen on the consent screen,
// else the session's active organization, else the user's first; without it, none.
export function grantOrganization(
  core: Core,
  user: UserRecord,
  scopes: string[],
  chosen: string | null,
  active: string | null,
): string | null {
  if (!scopes.includes(ORGANIZATION_SCOPE)) return null;
  if (chosen) {
    if (!findMembership(core, chosen, user.id)) {
      throw invalidRequest("organization_id is not an organization of this user");
    }
    return chosen;
  }
  if (active && findMembership(core, active, user.id)) return active;
  return membershipsOfUser(core, user.id)[0]?.organizationId ?? null;
}

// A grant the user already gave this application for at least these scopes: no consent screen
// unless the client asks for one (`prompt=consent`).
export function standingGrant(
  core: Core,
  request: AuthorizeRequest,
  userId: string,
): OAuthGrantRecord | undefined {
  if (request.prompt.includes("consent") || request.app.consentScreenEnabled === false) {
    return undefined;
  }
  return core.store
    .lookup("oauthGrants", "user", userId)
    .find(
      (g) =>
        !g.revoked &&
        g.applicationId === request.app.id &&
        request.scopes.every((s) => g.scopes.includes(s)),
    );
}

export function createGrant(
  core: Core,
  request: AuthorizeRequest,
  userId: string,
  organizationId: string | null,
): OAuthGrantRecord {
  const now = core.now();
  return core.store.put("oauthGrants", {
    id: `oag_${randomBase62(27)}`,
    applicationId: request.app.id,
    userId,
    organizationId,
    scopes: request.scopes,
    revoked: false,
    createdAt: now,
    updatedAt: now,
  });
}

export function issueCode(core: Core, request: AuthorizeRequest, grant: OAuthGrantRecord): string {
  const code = randomBase62(43);
  core.store.put("oauthCodes", {
    id: code,
    grantId: grant.id,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    used: false,
    expiresAt: core.now() + CODE_LIFETIME_MS,
  });
  return code;
}

const sameSecret = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// The client calling the token or revocation endpoint: HTTP Basic or form credentials for a
// confidential client, its client_id alone for a public one.
export function authenticateClient(
  core: Core,
  authorization: string | undefined,
  body: Record<string, unknown>,
): OAuthApplicationRecord {
  let clientId = typeof body.client_id === "string" ? body.client_id : null;
  let secret = typeof body.client_secret === "string" ? body.client_secret : null;
  const basic = /^Basic (.+)$/i.exec(authorization ?? "")?.[1];
  if (basic) {
    const [id, pass] = Buffer.from(basic, "base64").toString("utf8").split(":");
    clientId = decodeURIComponent(id ?? "");
    secret = decodeURIComponent(pass ?? "");
  }
  const app = oauthApplicationByClientId(core, clientId);
  if (!app) throw invalidClient("Unknown client");
  if (app.clientSecret !== null && !(secret && sameSecret(secret, app.clientSecret))) {
    throw invalidClient("Client authentication failed");
  }
  return app;
}

const pkceChallenge = (verifier: string) =>
  createHash("sha256").update(verifier).digest("base64url");

export type TokenResponse = {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
  id_token?: string;
};

export async function exchangeCode(
  core: Core,
  app: OAuthApplicationRecord,
  body: Record<string, unknown>,
  issuer: string,
): Promise<TokenResponse> {
  const code = core.store.state.oauthCodes[String(body.code ?? "")];
  const grant = code && core.store.state.oauthGrants[code.grantId];
  if (!code || !grant || grant.applicationId !== app.id) {
    throw invalidGrant("The authorization code is invalid");
  }
  if (code.used) {
    // A code presented twice: whoever holds it may be an attacker, so the grant ends (RFC 6749
    // §4.1.2).
    revokeGrant(core, grant, "Authorization code reused");
    throw invalidGrant("The authorization code was already used");
  }
  code.used = true;
  core.store.save();
  if (code.expiresAt <= core.now()) throw invalidGrant("The authorization code has expired");
  if (grant.revoked) throw invalidGrant("The grant was revoked");
  if (body.redirect_uri !== code.redirectUri) {
    throw invalidGrant("redirect_uri does not match the authorization request");
  }
  const verifier = typeof body.code_verifier === "string" ? body.code_verifier : "";
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    throw invalidRequest("code_verifier is required (43 to 128 characters)");
  }
  if (!sameSecret(pkceChallenge(verifier), code.codeChallenge)) {
    throw invalidGrant("code_verifier does not match the code_challenge");
  }
  return issueTokens(core, app, grant, grant.scopes, issuer, code.nonce);
}

export async function refresh(
  core: Core,
  app: OAuthApplicationRecord,
  body: Record<string, unknown>,
  issuer: string,
): Promise<TokenResponse> {
  const [stored] = core.store.lookup("oauthTokens", "token", String(body.refresh_token ?? ""));
  const grant = stored && core.store.state.oauthGrants[stored.grantId];
  if (stored?.kind !== "refresh" || !grant || grant.applicationId !== app.id) {
    throw invalidGrant("The refresh token is invalid");
  }
  if (stored.revoked) {
    // A rotated refresh token presented again: it was stolen or replayed, so the grant ends.
    if (stored.revocationReason === "Rotated") revokeGrant(core, grant, "Refresh token reused");
    throw invalidGrant("The refresh token was revoked");
  }
  const scopes = body.scope === undefined ? stored.scopes : scopeList(String(body.scope));
  if (scopes.some((s) => !stored.scopes.includes(s))) {
    throw new OAuthProtocolError(400, "invalid_scope", "scope exceeds the scope granted");
  }
  markRevoked(core, stored, "Rotated");
  return issueTokens(core, app, grant, scopes, issuer, null);
}

const newOpaqueId = (prefix: string) => `${prefix}_${randomBytes(16).toString("hex")}`;

function storeToken(
  core: Core,
  kind: OAuthTokenRecord["kind"],
  grant: OAuthGrantRecord,
  scopes: string[],
  lifetimeMs: number | null,
  backdateMs = 0,
): OAuthTokenRecord {
  const now = core.now() - backdateMs;
  return core.store.put("oauthTokens", {
    id: newOpaqueId("oat"),
    kind,
    token: kind === "access" ? `oat_${randomBase62(40)}` : `ort_${randomBase62(40)}`,
    grantId: grant.id,
    scopes,
    revoked: false,
    revocationReason: null,
    expiration: lifetimeMs === null ? null : now + lifetimeMs,
    createdAt: now,
    updatedAt: now,
  });
}

// An access token of the instance's format (Backend API oauth_application_settings).
export async function accessToken(
  core: Core,
  grant: OAuthGrantRecord,
  scopes: string[],
  issuer: string,
  lifetimeMs = ACCESS_TOKEN_LIFETIME_MS,
  backdateMs = 0,
): Promise<string> {
  const app = core.store.state.oauthApplications[grant.applicationId];
  if (core.store.state.oauthApplicationSettings.oauthJwtAccessTokens && app) {
    return mintOAuthJwt(core, {
      id: newOpaqueId("oat"),
      issuer,
      grant,
      clientId: app.clientId,
      scopes,
      lifetimeMs,
      backdateMs,
    });
  }
  return storeToken(core, "access", grant, scopes, lifetimeMs, backdateMs).token;
}

async function issueTokens(
  core: Core,
  app: OAuthApplicationRecord,
  grant: OAuthGrantRecord,
  scopes: string[],
  issuer: string,
  nonce: string | null,
): Promise<TokenResponse> {
  const user = core.store.state.users[grant.userId];
  return {
    access_token: await accessToken(core, grant, scopes, issuer),
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_LIFETIME_MS / 1000,
    refresh_token: storeToken(core, "refresh", grant, scopes, null).token,
    scope: scopes.join(" "),
    ...(scopes.includes("openid") &&
      user && {
        id_token: await mintOAuthIdToken(core, { issuer, user, clientId: app.clientId, nonce }),
      }),
  };
}

function markRevoked(core: Core, token: OAuthTokenRecord, reason: string) {
  token.revoked = true;
  token.revocationReason = reason;
  token.updatedAt = core.now();
  core.store.save();
}

// Ends a grant: every token it issued stops working at once (opaque ones; a JWT-format access
// token is verified without Clerk and works until it expires).
export function revokeGrant(core: Core, grant: OAuthGrantRecord, reason: string): void {
  grant.revoked = true;
  grant.updatedAt = core.now();
  for (const token of core.store.lookup("oauthTokens", "grant", grant.id)) {
    if (!token.revoked) markRevoked(core, token, reason);
  }
  core.store.save();
}

// Revokes the grant of a token of `app` (the revocation endpoint, Backend API revoke_token).
// Unknown tokens are not an error (RFC 7009 §2.2); a JWT cannot be revoked.
export function revokeToken(core: Core, app: OAuthApplicationRecord, token: string): boolean {
  const [stored] = core.store.lookup("oauthTokens", "token", token);
  const grant = stored && core.store.state.oauthGrants[stored.grantId];
  if (!grant || grant.applicationId !== app.id) return false;
  revokeGrant(core, grant, "Revoked by the application");
  return true;
}

// A token as the Backend API's verify describes it, from the store (opaque) or its claims (JWT).
export type AccessTokenView = {
  id: string;
  clientId: string;
  subject: string;
  scopes: string[];
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  createdAt: number;
  updatedAt: number;
  organizationId: string | null;
};

const usable = (t: { revoked: boolean; expiration: number | null }, now: number) =>
  !t.revoked && (t.expiration === null || t.expiration > now);

// A valid access token of this instance: unknown, revoked and expired ones are all "not found".
export async function verifyAccessToken(
  core: Core,
  token: string,
): Promise<AccessTokenView | null> {
  const now = core.now();
  if (token.startsWith("oat_")) {
    const [stored] = core.store.lookup("oauthTokens", "token", token);
    const grant = stored && core.store.state.oauthGrants[stored.grantId];
    const app = grant && core.store.state.oauthApplications[grant.applicationId];
    if (stored?.kind !== "access" || !grant || !app || !usable(stored, now)) return null;
    return {
      id: stored.id,
      clientId: app.clientId,
      subject: grant.userId,
      scopes: stored.scopes,
      revoked: stored.revoked,
      revocationReason: stored.revocationReason,
      expiration: stored.expiration,
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      organizationId: grant.organizationId,
    };
  }
  const claims = await verifyOAuthJwt(core, token);
  if (!claims) return null;
  return {
    id: claims.jti,
    clientId: claims.client_id,
    subject: claims.sub,
    scopes: scopeList(claims.scope),
    revoked: false,
    revocationReason: null,
    expiration: claims.exp * 1000,
    createdAt: claims.iat * 1000,
    updatedAt: claims.iat * 1000,
    organizationId: claims.org_id ?? null,
  };
}
