import { jwtVerify, SignJWT } from "jose";
import type { Core } from "../core";
import type { OAuthGrantRecord, UserRecord } from "../store/records";

// JWT-format OAuth access tokens (RFC 9068), as Clerk mints them when the instance turns on
// "JWT access tokens": signed with the instance key (its JWKS), typed `at+jwt` (how
// @clerk/backend tells them from session tokens), `sub` the user, `client_id` the application,
// `scope` the granted scopes, `jti` the token id, and `org_id` the organization chosen at consent.
// Whoever receives one verifies it without asking Clerk, so a revoked grant is not seen in it
// before it expires.

export type OAuthJwtClaims = {
  iss: string;
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  org_id?: string;
};

export async function mintOAuthJwt(
  core: Core,
  token: {
    id: string;
    issuer: string;
    grant: OAuthGrantRecord;
    clientId: string;
    scopes: string[];
    lifetimeMs: number;
    backdateMs: number;
  },
): Promise<string> {
  const iat = Math.floor((core.now() - token.backdateMs) / 1000);
  const claims: OAuthJwtClaims = {
    iss: token.issuer,
    sub: token.grant.userId,
    client_id: token.clientId,
    scope: token.scopes.join(" "),
    jti: token.id,
    iat,
    nbf: iat - 5,
    exp: iat + Math.floor(token.lifetimeMs / 1000),
    ...(token.grant.organizationId && { org_id: token.grant.organizationId }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: core.signingKey.kid })
    .sign(core.signingKey.privateKey);
}

// The claims of an unexpired JWT access token this instance signed; null for anything else.
export async function verifyOAuthJwt(core: Core, token: string): Promise<OAuthJwtClaims | null> {
  try {
    const { payload } = await jwtVerify(token, core.signingKey.publicKey, {
      algorithms: ["RS256"],
      typ: "at+jwt",
      currentDate: new Date(core.now()),
    });
    const claims = payload as Partial<OAuthJwtClaims>;
    return typeof claims.sub === "string" &&
      typeof claims.client_id === "string" &&
      typeof claims.jti === "string"
      ? (claims as OAuthJwtClaims)
      : null;
  } catch {
    return null;
  }
}

// The OpenID Connect ID token of an authorization with the `openid` scope.
export async function mintOAuthIdToken(
  core: Core,
  input: { issuer: string; user: UserRecord; clientId: string; nonce: string | null },
): Promise<string> {
  const iat = Math.floor(core.now() / 1000);
  const email = input.user.emailAddresses.find((e) => e.id === input.user.primaryEmailAddressId);
  return new SignJWT({
    ...(input.nonce && { nonce: input.nonce }),
    ...(email && { email: email.emailAddress, email_verified: email.verified }),
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: core.signingKey.kid })
    .setIssuer(input.issuer)
    .setSubject(input.user.id)
    .setAudience(input.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(core.signingKey.privateKey);
}
