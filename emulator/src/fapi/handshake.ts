import { createHash } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import type { Core } from "../core";
import { activeSessionsOf, createDevBrowser } from "../domain/dev-browsers";
import { findMembership } from "../domain/memberships";
import { errors } from "../http/clerk-errors";
import type { RequestInfo, Router } from "../http/router";
import { mintSessionToken } from "../tokens/session-token";
import { appRedirectUrl, clientOfDevBrowser } from "./context";

// The SDK's cookie suffix: the first 8 characters of base64url(sha1(publishable key)).
export function cookieSuffix(publishableKey: string): string {
  return createHash("sha1").update(publishableKey).digest("base64url").slice(0, 8);
}

// GET /v1/client/handshake: how a server-rendered request learns the browser's session state.
// @clerk/backend redirects the browser here; the answer goes back to `redirect_url` with a
// signed `__clerk_handshake` token listing the cookies to set (dev-browser, client_uat, session).
async function handshake(core: Core, req: RequestInfo) {
  const raw = req.query.get("redirect_url");
  if (!raw || !URL.canParse(raw)) {
    throw errors.paramInvalid("redirect_url", "must be an absolute URL", 400);
  }
  const target = appRedirectUrl(core, req.headers, raw, "redirect_url");
  const client =
    clientOfDevBrowser(core, req.query.get("__clerk_db_jwt")) ?? createDevBrowser(core);
  const session = activeSessionsOf(core, client).find((s) => s.id === client.lastActiveSessionId);

  // organizationSyncOptions: the page asked for this organization (by id or, from a URL pattern
  // like /orgs/:slug, by slug); activate it if it is the user's. "" asks for the personal account.
  const wanted = req.query.get("organization_id");
  const wantedOrg =
    wanted &&
    (core.store.state.organizations[wanted] ??
      core.store.lookup("organizations", "slug", wanted)[0]);
  if (session && wanted === "") {
    session.lastActiveOrganizationId = null;
    session.updatedAt = core.now();
    core.store.save();
  } else if (session && wantedOrg && findMembership(core, wantedOrg.id, session.userId)) {
    session.lastActiveOrganizationId = wantedOrg.id;
    session.updatedAt = core.now();
    core.store.save();
  }

  const cookies: [string, string, string?][] = [["__clerk_db_jwt", client.devBrowserId ?? ""]];
  if (session) {
    const jwt = await mintSessionToken(core, session, { authorizedParty: target.origin });
    cookies.push(["__session", jwt], ["__client_uat", String(decodeJwt(jwt).iat)]);
  } else {
    cookies.push(["__session", "", "Max-Age=0"], ["__client_uat", "0"]);
  }
  const suffixed = req.query.get("suffixed_cookies") === "true";
  const suffix = cookieSuffix(core.config.publishableKey);
  // Not HttpOnly: clerk-js reads and rewrites these cookies itself.
  const directives = cookies.flatMap(([name, value, extra]) => {
    const attrs = ["Path=/", "SameSite=Lax", ...(extra ? [extra] : [])].join("; ");
    const plain = `${name}=${value}; ${attrs}`;
    return suffixed ? [plain, `${name}_${suffix}=${value}; ${attrs}`] : [plain];
  });
  const token = await new SignJWT({ handshake: directives })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: core.signingKey.kid })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(core.signingKey.privateKey);
  target.searchParams.set("__clerk_handshake", token);
  target.searchParams.set("__clerk_db_jwt", client.devBrowserId ?? "");
  return { status: 307 as const, location: target.toString() };
}

export function registerHandshakeRoutes(router: Router, core: Core) {
  router.add("GET", "/v1/client/handshake", (req) => handshake(core, req), "frontend");
}
