import { z } from "zod";
import { CUSTOM_OAUTH_SCOPES } from "../../../clerk/oauth-scopes";
import type { Core } from "../core";
import {
  checkRedirectUris,
  checkScopes,
  createOAuthApplication,
  DEFAULT_SCOPES,
  oauthApplicationByClientId,
  SUPPORTED_SCOPES,
} from "../domain/oauth-applications";
import {
  type AuthorizeRequest,
  authenticateClient,
  authorizationResponse,
  checkAuthorizeRequest,
  createGrant,
  exchangeCode,
  grantOrganization,
  issueCode,
  OAuthProtocolError,
  refresh,
  revokeToken,
  scopeList,
  standingGrant,
  verifyAccessToken,
} from "../domain/oauth-server";
import { getSession } from "../domain/sessions";
import { getUser } from "../domain/users";
import { bearerToken } from "../http/bearer";
import { ClerkApiError, errors } from "../http/clerk-errors";
import { escapeHtml as esc } from "../http/html";
import type { RequestInfo, RouteResult, Router } from "../http/router";
import { OAUTH_CONSENT_PATH, SIGN_IN_PATH } from "../json/environment";
import type { SessionRecord, UserRecord } from "../store/records";
import {
  appOriginOf,
  clientOfDevBrowser,
  devBrowserIdOf,
  frontendApiUrlOf,
  signedInUser,
} from "./context";

// Clerk's OAuth 2.1 authorization server on the Frontend API: discovery, authorize (sending the
// person to sign in, then to the consent page, which is Clerk's <OAuthConsent/> on the app's
// oauth_consent_url), the consent endpoints <OAuthConsent/> calls, token, userinfo, revocation
// and dynamic client registration. The issuer is the Frontend API as the caller reached it: through
// the app's proxy, `<app origin>/__clerk`, so every URL in the metadata works from where the
// client found it.

const issuerOf = (core: Core, req: RequestInfo) => frontendApiUrlOf(core, req.headers);

function authorizationServerMetadata(core: Core, req: RequestInfo) {
  const iss = issuerOf(core, req);
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/oauth/authorize`,
    token_endpoint: `${iss}/oauth/token`,
    revocation_endpoint: `${iss}/oauth/token/revoke`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    ...(core.store.state.oauthApplicationSettings.dynamicOAuthClientRegistration && {
      registration_endpoint: `${iss}/oauth/register`,
    }),
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    scopes_supported: [...SUPPORTED_SCOPES],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "email", "email_verified", "org_id"],
    service_documentation: "https://clerk.com/docs/guides/configure/auth-strategies/oauth/overview",
    code_challenge_methods_supported: ["S256"],
  };
}

function openIdConfiguration(core: Core, req: RequestInfo) {
  const iss = issuerOf(core, req);
  const m = authorizationServerMetadata(core, req);
  return {
    issuer: iss,
    authorization_endpoint: m.authorization_endpoint,
    token_endpoint: m.token_endpoint,
    revocation_endpoint: m.revocation_endpoint,
    introspection_endpoint: `${iss}/oauth/token_info`,
    userinfo_endpoint: `${iss}/oauth/userinfo`,
    jwks_uri: m.jwks_uri,
    scopes_supported: m.scopes_supported,
    response_types_supported: m.response_types_supported,
    response_modes_supported: ["query"],
    grant_types_supported: m.grant_types_supported,
    subject_types_supported: m.subject_types_supported,
    id_token_signing_alg_values_supported: m.id_token_signing_alg_values_supported,
    token_endpoint_auth_methods_supported: m.token_endpoint_auth_methods_supported,
    claims_supported: m.claims_supported,
    code_challenge_methods_supported: m.code_challenge_methods_supported,
    backchannel_logout_supported: false,
    frontchannel_logout_supported: false,
  };
}

// OAuth answers are not cached (RFC 6749 §5.1).
const oauthJson = (body: unknown, status = 200): RouteResult => ({
  status,
  json: body,
  headers: { "Cache-Control": "no-store" },
});

const protocolError = (err: OAuthProtocolError): RouteResult => ({
  status: err.status,
  json: { error: err.error, error_description: err.description },
  headers: {
    "Cache-Control": "no-store",
    ...(err.status === 401 && { "WWW-Authenticate": 'Basic realm="oauth"' }),
  },
});

async function asOAuth(work: () => Promise<RouteResult> | RouteResult): Promise<RouteResult> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof OAuthProtocolError) return protocolError(err);
    if (err instanceof ClerkApiError) {
      return protocolError(new OAuthProtocolError(400, "invalid_request", err.message));
    }
    throw err;
  }
}

function errorPage(message: string): RouteResult {
  return {
    status: 400,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization error · Clerk emulator</title></head>
<body><h1>This authorization request cannot go on</h1><p>${esc(message)}</p>
<p>The application that sent you here made a request the OAuth server refuses; nothing was granted.</p></body></html>`,
  };
}

// The browser's signed-in session on this Frontend API, if any (no error: authorize sends a
// signed-out browser to sign in).
function browserSession(core: Core, req: RequestInfo): SessionRecord | null {
  const client = clientOfDevBrowser(core, devBrowserIdOf(req));
  const id = client?.lastActiveSessionId;
  if (!id) return null;
  const session = getSession(core, id);
  return session.status === "active" ? session : null;
}

function approve(
  core: Core,
  request: AuthorizeRequest,
  user: UserRecord,
  organizationId: string | null,
): RouteResult {
  const grant =
    standingGrant(core, request, user.id) ?? createGrant(core, request, user.id, organizationId);
  const code = issueCode(core, request, grant);
  return {
    status: 303,
    location: authorizationResponse(request.redirectUri, request.state, { code }),
  };
}

function authorize(core: Core, req: RequestInfo, params: URLSearchParams): RouteResult {
  const check = checkAuthorizeRequest(core, params);
  if (!check.ok)
    return "page" in check ? errorPage(check.page) : { status: 303, location: check.redirect };
  const { request } = check;
  const session = browserSession(core, req);
  const appOrigin = appOriginOf(core, req.headers);
  if (!session) {
    const here = `${issuerOf(core, req)}/oauth/authorize?${params}`;
    const signIn = new URL(SIGN_IN_PATH, appOrigin);
    signIn.searchParams.set("redirect_url", here);
    return { status: 303, location: signIn.toString() };
  }
  const user = getUser(core, session.userId);
  if (standingGrant(core, request, user.id) || !request.app.consentScreenEnabled) {
    const org = grantOrganization(
      core,
      user,
      request.scopes,
      null,
      session.lastActiveOrganizationId,
    );
    return approve(core, request, user, org);
  }
  const consent = new URL(OAUTH_CONSENT_PATH, appOrigin);
  for (const [k, v] of params) consent.searchParams.set(k, v);
  consent.searchParams.set("redirect_uri", request.redirectUri);
  return { status: 303, location: consent.toString() };
}

function scopeDescriptions(scopes: string[]) {
  const custom = new Map<string, string>(CUSTOM_OAUTH_SCOPES.map((s) => [s.scope, s.description]));
  const standard: Record<string, string> = {
    openid: "Verify your identity",
    profile: "Read your name and profile picture",
    email: "Read your email address",
    public_metadata: "Read your public metadata",
    private_metadata: "Read your private metadata",
    offline_access: "Keep access while you are away",
    "user:org:read": "Read the organization you choose",
  };
  return scopes.map((scope) => ({
    scope,
    description: custom.get(scope) ?? standard[scope] ?? null,
    requires_consent: true,
  }));
}

const ConsentBody = z
  .object({ consented: z.string(), organization_id: z.string().optional() })
  .passthrough();

const RegisterBody = z
  .object({
    redirect_uris: z.array(z.string().max(1024)).min(1),
    token_endpoint_auth_method: z
      .enum(["client_secret_basic", "client_secret_post", "none"])
      .default("client_secret_basic"),
    client_name: z.string().max(256).nullish(),
    client_uri: z.string().max(1024).nullish(),
    logo_uri: z.string().max(1024).nullish(),
    scope: z.string().max(1024).nullish(),
    grant_types: z.array(z.string()).optional(),
    response_types: z.array(z.string()).optional(),
  })
  .passthrough();

const formOf = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};

function userInfo(core: Core, req: RequestInfo) {
  return asOAuth(async () => {
    const token = bearerToken(req.headers);
    const view = token ? await verifyAccessToken(core, token) : null;
    if (!view) throw errors.unauthenticated();
    const user = getUser(core, view.subject);
    const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId);
    const has = (s: string) => view.scopes.includes(s);
    const org = view.organizationId ? core.store.state.organizations[view.organizationId] : null;
    const name = [user.firstName, user.lastName].filter(Boolean).join(" ") || null;
    return oauthJson({
      object: "oauth_user_info",
      instance_id: core.store.state.instanceId,
      user_id: user.id,
      sub: user.id,
      ...(has("email") && {
        email: email?.emailAddress ?? null,
        email_verified: email?.verified ?? null,
      }),
      ...(has("profile") && {
        name,
        given_name: user.firstName,
        family_name: user.lastName,
        preferred_username: user.username,
        picture: user.image?.url ?? null,
      }),
      ...(has("public_metadata") && { public_metadata: user.publicMetadata }),
      ...(has("private_metadata") && { private_metadata: user.privateMetadata }),
      ...(org && { org_id: org.id, org_name: org.name, org_slug: org.slug }),
    });
  }).catch((err) => {
    if (err instanceof ClerkApiError) {
      return { status: 401, json: { errors: err.errors } } satisfies RouteResult;
    }
    throw err;
  });
}

export function registerOAuthServerRoutes(router: Router, core: Core) {
  router
    .add(
      "GET",
      "/.well-known/oauth-authorization-server",
      (req) => ({ status: 200, json: authorizationServerMetadata(core, req) }),
      "frontend",
    )
    .add(
      "GET",
      "/.well-known/openid-configuration",
      (req) => ({ status: 200, json: openIdConfiguration(core, req) }),
      "frontend",
    )
    // The instance's public keys, as Clerk serves them on the Frontend API (what JWT access
    // tokens and ID tokens are verified with).
    .add(
      "GET",
      "/.well-known/jwks.json",
      () => ({ status: 200, json: { keys: [core.signingKey.publicJwk] } }),
      "frontend",
    )
    .add("GET", "/oauth/authorize", (req) => authorize(core, req, req.query), "frontend")
    .add(
      "POST",
      "/oauth/authorize",
      (req) =>
        authorize(core, req, new URLSearchParams(formOf(req.body) as Record<string, string>)),
      "frontend",
    )
    // What <OAuthConsent/> shows: the application and the scopes it asks for.
    .add(
      "GET",
      "/v1/me/oauth/consent/:client_id",
      (req, p) => {
        signedInUser(core, req);
        const app = oauthApplicationByClientId(core, p.client_id);
        if (!app) throw errors.notFound("OAuth application");
        const allowed = scopeList(app.scopes);
        const scopes = req.query.has("scope")
          ? scopeList(req.query.get("scope")).filter((s) => allowed.includes(s))
          : allowed;
        const redirect = req.query.get("redirect_uri");
        const registered = redirect !== null && app.redirectUris.includes(redirect);
        const host = registered && URL.canParse(redirect) ? new URL(redirect).hostname : "";
        const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host) || host === "";
        return {
          status: 200,
          json: {
            oauth_application_name: app.name,
            oauth_application_logo_url: app.clientImageUrl,
            oauth_application_url: app.clientUri,
            client_id: app.clientId,
            redirect_domain: loopback ? null : host.split(".").slice(-2).join("."),
            scopes: scopeDescriptions(scopes),
          },
        };
      },
      "frontend",
    )
    // The consent form's POST: the authorize parameters again, `consented`, and the organization
    // picked (with `user:org:read`).
    .add(
      "POST",
      "/v1/me/oauth/consent/:client_id",
      (req, p) => {
        const { session, user } = signedInUser(core, req);
        const body = ConsentBody.parse(formOf(req.body));
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(body)) if (typeof v === "string") params.set(k, v);
        params.set("client_id", p.client_id as string);
        const check = checkAuthorizeRequest(core, params);
        if (!check.ok) {
          return "page" in check
            ? errorPage(check.page)
            : { status: 303, location: check.redirect };
        }
        const { request } = check;
        if (body.consented !== "true") {
          return {
            status: 303,
            location: authorizationResponse(request.redirectUri, request.state, {
              error: "access_denied",
              error_description: "The user denied access",
            }),
          };
        }
        const org = grantOrganization(
          core,
          user,
          request.scopes,
          body.organization_id ?? null,
          session.lastActiveOrganizationId,
        );
        return approve(core, { ...request, prompt: ["consent"] }, user, org);
      },
      "frontend",
    )
    .add(
      "POST",
      "/oauth/token",
      (req) =>
        asOAuth(async () => {
          const body = formOf(req.body);
          const app = authenticateClient(core, req.headers.authorization, body);
          const issuer = issuerOf(core, req);
          if (body.grant_type === "authorization_code") {
            return oauthJson(await exchangeCode(core, app, body, issuer));
          }
          if (body.grant_type === "refresh_token") {
            return oauthJson(await refresh(core, app, body, issuer));
          }
          throw new OAuthProtocolError(
            400,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
          );
        }),
      "frontend",
    )
    .add(
      "POST",
      "/oauth/token/revoke",
      (req) =>
        asOAuth(() => {
          const body = formOf(req.body);
          const app = authenticateClient(core, req.headers.authorization, body);
          if (typeof body.token !== "string" || !body.token) {
            throw new OAuthProtocolError(400, "invalid_request", "token is required");
          }
          revokeToken(core, app, body.token);
          // "200: Success, no content" (RFC 7009 §2.2).
          return { status: 200, bytes: Buffer.alloc(0), contentType: "text/plain; charset=utf-8" };
        }),
      "frontend",
    )
    // Token introspection (RFC 7662) for the application's own tokens: an unknown, revoked or
    // expired one, or one of another application, is simply inactive.
    .add(
      "POST",
      "/oauth/token_info",
      (req) =>
        asOAuth(async () => {
          const body = formOf(req.body);
          const app = authenticateClient(core, req.headers.authorization, body);
          const view =
            typeof body.token === "string" ? await verifyAccessToken(core, body.token) : null;
          if (!view || view.clientId !== app.clientId) return oauthJson({ active: false });
          return oauthJson({
            active: true,
            client_id: view.clientId,
            iat: Math.floor(view.createdAt / 1000),
            scope: view.scopes.join(" "),
            sub: view.subject,
            org_id: view.organizationId,
          });
        }),
      "frontend",
    )
    .add("GET", "/oauth/userinfo", (req) => userInfo(core, req), "frontend")
    .add("POST", "/oauth/userinfo", (req) => userInfo(core, req), "frontend")
    // RFC 7591: MCP clients register themselves.
    .add(
      "POST",
      "/oauth/register",
      (req) => {
        if (!core.store.state.oauthApplicationSettings.dynamicOAuthClientRegistration) {
          throw errors.notAllowed("Dynamic client registration is not enabled for this instance.");
        }
        const parsed = RegisterBody.safeParse(formOf(req.body));
        const fail = (error: string, description: string): RouteResult => ({
          status: 400,
          json: { error, error_description: description },
        });
        if (!parsed.success) {
          return fail("invalid_client_metadata", parsed.error.issues[0]?.message ?? "invalid");
        }
        const body = parsed.data;
        let redirectUris: string[];
        let scopes: string;
        try {
          redirectUris = checkRedirectUris(body.redirect_uris, "redirect_uris");
        } catch (err) {
          if (err instanceof ClerkApiError) return fail("invalid_redirect_uri", err.message);
          throw err;
        }
        try {
          scopes = checkScopes(body.scope ?? DEFAULT_SCOPES, "scope");
        } catch (err) {
          if (err instanceof ClerkApiError) {
            return fail("invalid_client_metadata", err.errors[0]?.long_message ?? err.message);
          }
          throw err;
        }
        const isPublic = body.token_endpoint_auth_method === "none";
        const app = createOAuthApplication(core, {
          name: body.client_name ?? "",
          redirectUris,
          scopes,
          consentScreenEnabled: true,
          pkceRequired: isPublic,
          public: isPublic,
          dynamicallyRegistered: true,
          clientUri: body.client_uri ?? null,
          clientImageUrl: body.logo_uri ?? null,
        });
        // Without a name, the client id is the name people see.
        if (!app.name) app.name = app.clientId;
        core.store.save();
        return {
          status: 201,
          json: {
            client_id: app.clientId,
            ...(app.clientSecret !== null && { client_secret: app.clientSecret }),
            client_id_issued_at: Math.floor(app.createdAt / 1000),
            client_secret_expires_at: 0,
            client_name: app.name,
            ...(app.clientUri && { client_uri: app.clientUri }),
            ...(app.clientImageUrl && { logo_uri: app.clientImageUrl }),
            redirect_uris: app.redirectUris,
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
            scope: app.scopes,
            token_endpoint_auth_method: body.token_endpoint_auth_method,
          },
          headers: { "Cache-Control": "no-store" },
        };
      },
      "frontend",
    );
}
