import type { IncomingMessage } from "node:http";
import { ctxOf } from "../bapi/shared";
import type { Core, Ctx } from "../core";
import { getSession } from "../domain/sessions";
import { getUser } from "../domain/users";
import { errors } from "../http/clerk-errors";
import type { RequestInfo } from "../http/router";
import type { ClientRecord, SessionRecord } from "../store/records";

// What a Frontend API handler knows about its caller: the browser's client (found through its
// dev browser) and the app origin the browser is on (a session token's `azp`).
export type FapiCtx = Ctx & { client: ClientRecord; appOrigin: string };

const DEV_BROWSER_COOKIE = /(?:^|;\s*)__clerk_db_jwt(?:_[A-Za-z0-9_-]+)?=([^;]+)/;

export function devBrowserIdOf(req: RequestInfo): string | null {
  const fromQuery = req.query.get("__clerk_db_jwt");
  if (fromQuery) return fromQuery;
  const cookie = DEV_BROWSER_COOKIE.exec(String(req.headers.cookie ?? ""));
  return cookie?.[1] ? decodeURIComponent(cookie[1]) : null;
}

export function clientOfDevBrowser(
  core: Core,
  devBrowserId: string | null,
): ClientRecord | undefined {
  if (!devBrowserId) return undefined;
  return core.store.lookup("clients", "devBrowser", devBrowserId)[0];
}

// The browser's origin: the Origin header, else the public origin the app's proxy reports.
export function appOriginOf(core: Core, headers: IncomingMessage["headers"]): string {
  const origin = headers.origin;
  if (typeof origin === "string" && origin !== "null") return origin;
  const proxyUrl = headers["clerk-proxy-url"];
  if (typeof proxyUrl === "string" && URL.canParse(proxyUrl)) return new URL(proxyUrl).origin;
  return core.config.authorizedParty;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

// A URL the emulator sends the browser to (after a handshake, an OAuth flow): only the app's own
// pages, never an open redirect. The app is the configured origin (EMULATOR_AUTHORIZED_PARTY, set
// by the launcher: Clerk's allowed origins), or, as a development instance allows, a loopback one;
// never an origin the request itself names (Origin, X-Forwarded-Host, Clerk-Proxy-Url), which
// anyone can send. A path is the app's.
export function appRedirectUrl(
  core: Core,
  headers: IncomingMessage["headers"],
  raw: string | null | undefined,
  param: string,
): URL {
  const base = appOriginOf(core, headers);
  if (!raw || !URL.canParse(raw, base)) {
    throw errors.paramInvalid(param, "must be a URL of the application", 400);
  }
  const target = new URL(raw, base);
  const allowed = new URL(core.config.authorizedParty).origin;
  if (
    !/^https?:$/.test(target.protocol) ||
    (target.origin !== allowed && !LOOPBACK.has(target.hostname))
  ) {
    throw errors.paramInvalid(param, "must point at the application", 400);
  }
  return target;
}

// An emailed link's redirect: where the browser goes once the link is opened (an app page), and
// where the link itself points (the Frontend API as the browser sees it). None without a URL.
export function linkRedirect(core: Core, req: RequestInfo, raw: string | undefined) {
  if (raw === undefined) return undefined;
  return {
    redirectUrl: appRedirectUrl(core, req.headers, raw, "redirect_url").toString(),
    frontendApiUrl: frontendApiUrlOf(core, req.headers),
  };
}

// The Frontend API's address as the browser sees it: the app's proxy reports it (and overwrites
// whatever a browser sends as Clerk-Proxy-Url); a direct caller reached the emulator at its Host.
export function frontendApiUrlOf(core: Core, headers: IncomingMessage["headers"]): string {
  const proxyUrl = headers["clerk-proxy-url"];
  if (typeof proxyUrl === "string" && /^https?:\/\//.test(proxyUrl) && URL.canParse(proxyUrl)) {
    return proxyUrl.replace(/\/+$/, "");
  }
  return `http://${headers.host ?? `${core.config.host}:${core.config.frontendPort}`}`;
}

export function fapiCtx(core: Core, req: RequestInfo): FapiCtx {
  const client = clientOfDevBrowser(core, devBrowserIdOf(req));
  // clerk-js answers this code by creating a new dev browser and retrying.
  if (!client) throw errors.devBrowserUnauthenticated();
  return { ...ctxOf(core, req), client, appOrigin: appOriginOf(core, req.headers) };
}

// A session of this browser's client, active: another browser's session is not found.
export function clientSession(f: FapiCtx, sessionId: string): SessionRecord {
  if (!f.client.sessionIds.includes(sessionId)) throw errors.notFound("session");
  const session = getSession(f.core, sessionId);
  if (session.status !== "active") throw errors.signedOut();
  return session;
}

// Endpoints outside /v1/client name the session in `_clerk_session_id`.
export function currentSession(f: FapiCtx, req: RequestInfo): SessionRecord {
  const id = req.query.get("_clerk_session_id") ?? f.client.lastActiveSessionId;
  if (!id) throw errors.signedOut();
  return clientSession(f, id);
}

// The signed-in caller of a /v1/me endpoint: their browser's context, session and user.
export function signedInUser(core: Core, req: RequestInfo) {
  const f = fapiCtx(core, req);
  const session = currentSession(f, req);
  return { f, session, user: getUser(core, session.userId) };
}
