import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import type { Core } from "../core";
import type { Metadata } from "../store/records";
import { issuer } from "./session-token";

// JWT-format M2M tokens, as Clerk mints them: signed with the instance key (the one its JWKS
// serves), `sub` the machine, `jti` the token id, the machine's scopes in `aud` and `scopes` (the
// claims @clerk/backend reads them from), and the M2M category in the header, which
// @clerk/backend checks so that neither kind of token passes for the other.

export const M2M_JWT_CATEGORY = "cl_B7d4PD333AAA";

export type M2MJwtClaims = {
  iss: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  aud?: string[];
  scopes?: string;
  [claim: string]: unknown;
};

export async function mintM2MJwt(
  core: Core,
  token: { id: string; subject: string; scopes: string[]; claims: Metadata | null },
  lifetimeSeconds: number,
): Promise<string> {
  const iat = Math.floor(core.now() / 1000);
  // Custom claims first: none of them can replace what the token is.
  const claims: M2MJwtClaims = {
    ...token.claims,
    iss: issuer(core),
    sub: token.subject,
    // A machine with no scopes gets neither (an empty `scopes` would read as one empty scope).
    ...(token.scopes.length > 0 && { aud: token.scopes, scopes: token.scopes.join(" ") }),
    iat,
    nbf: iat - 5,
    exp: iat + lifetimeSeconds,
    jti: token.id,
  };
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: "RS256",
      typ: "JWT",
      kid: core.signingKey.kid,
      cat: M2M_JWT_CATEGORY,
    })
    .sign(core.signingKey.privateKey);
}

// The claims of a JWT-format M2M token this instance signed and that has not expired; null for
// anything else.
export async function verifyM2MJwt(core: Core, token: string): Promise<M2MJwtClaims | null> {
  try {
    if (decodeProtectedHeader(token).cat !== M2M_JWT_CATEGORY) return null;
    const { payload } = await jwtVerify(token, core.signingKey.publicKey, {
      algorithms: ["RS256"],
      currentDate: new Date(core.now()),
    });
    if (typeof payload.sub !== "string" || !payload.sub.startsWith("mch_")) return null;
    return payload as M2MJwtClaims;
  } catch {
    return null;
  }
}
