import { type NextFetchEvent, NextRequest } from "next/server";
import { forgetMachineToken, knownMachineToken } from "@/auth/credential-cache";
import { isFrontendApiPath } from "@/auth/route-table";
import { withDeadline } from "@/http/deadline";
import { problem } from "@/http/problem";
import { readBodyBytes } from "@/http/request-input";
import { askClerk } from "./clerk";
import { bearerOf, tokenTypeOf } from "./credentials";
import { forward, type RequestState, refuse } from "./request-state";

// The gate of Clerk's Frontend API, proxied through this origin (`/__clerk`): clerkMiddleware
// forwards it to Clerk (or the emulator's Frontend API origin), with what this proxy vouches for.

// What the browser sends is read whole before Clerk is asked: a body that never ends (a client
// that stalls or leaves) then costs this request, not a Clerk call held open until its time limit.
// clerk-js declares the length of what it sends (forms; <UserProfile/>'s image, up to the 1 MiB
// the proxy takes); a body without a declared length may be at most this (Next hands the proxy no
// more than 1 MiB of one, silently cut).
const MAX_UNDECLARED_BODY_BYTES = 64 * 1024;
// Before the front door's own deadline (scripts/lib/front-door.ts), so the answer says why.
const BODY_TIMEOUT_MS = 8_000;

// The body, or a refusal: too large, or not sent in time.
async function bodyOf(
  req: NextRequest,
  state: RequestState,
): Promise<Uint8Array<ArrayBuffer> | Response> {
  const declared = req.headers.get("content-length") !== null;
  const limit = declared ? Number.POSITIVE_INFINITY : MAX_UNDECLARED_BODY_BYTES;
  const body = await withDeadline(readBodyBytes(req, limit), BODY_TIMEOUT_MS, "the body").catch(
    () => undefined,
  );
  if (body === undefined) {
    return refuse(state, problem("request-timeout", "The request's body did not arrive in time."));
  }
  if (body === null) {
    return refuse(
      state,
      problem(
        "content-too-large",
        `A body without a declared length must be at most ${MAX_UNDECLARED_BODY_BYTES} bytes.`,
      ),
    );
  }
  return body;
}

// A session token is the only credential a browser sends Clerk's Frontend API (<APIKeys/> sends
// it as a bearer); anything else in Authorization, such as a secret key or a machine token, is not
// forwarded (nor verified by the middleware on its way).
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const isSessionJwt = (token: string) => JWT.test(token) && tokenTypeOf(token) === "session_token";

// Clerk's OAuth server endpoints take an OAuth client's own credentials: HTTP Basic client
// authentication (token, revocation) and the access token itself (userinfo). They go to Clerk as
// sent; the middleware does not verify on the Frontend API's paths.
const OAUTH_SERVER_PATH = /^\/__clerk\/oauth\//;

// Clerk's Frontend API proxy tells Clerk the browser's address (shown in "Active devices", and
// in Clerk's own rate limits) from CF-Connecting-IP, X-Real-IP or the leftmost X-Forwarded-For:
// all of them whatever the browser chose to send. Forward the address this proxy trusts instead.
function vouchedFor(
  req: NextRequest,
  state: RequestState,
  body: Uint8Array<ArrayBuffer> | null,
): NextRequest {
  const headers = new Headers(req.headers);
  headers.delete("cf-connecting-ip");
  headers.delete("x-real-ip");
  if (state.clientAddress) headers.set("x-forwarded-for", state.clientAddress);
  else headers.delete("x-forwarded-for");
  if (!isSessionJwt(bearerOf(req) ?? "") && !OAUTH_SERVER_PATH.test(req.nextUrl.pathname)) {
    headers.delete("authorization");
  }
  headers.delete("transfer-encoding");
  if (body) headers.set("content-length", String(body.byteLength));
  return new NextRequest(req.url, { method: req.method, headers, body });
}

export async function frontendApiGate(
  req: NextRequest,
  event: NextFetchEvent,
  state: RequestState,
) {
  if (!isFrontendApiPath(req.nextUrl.pathname)) {
    return refuse(state, problem("not-found", "Not a Clerk Frontend API path."));
  }
  const body = req.body ? await bodyOf(req, state) : null;
  if (body instanceof Response) return body;
  // Clerk's Frontend API not answering is not its Backend API being down: nothing else waits.
  const res = await askClerk(
    vouchedFor(req, state, body),
    event,
    state,
    async (_auth, r, s) => forward(r, s),
    { marksOutage: false },
  );
  // Clerk's <APIKeys/> revokes a key through here: every instance stops trusting it at once.
  const revoked = req.method === "POST" && REVOKE_API_KEY.exec(req.nextUrl.pathname)?.[1];
  if (revoked && res.ok) await forgetMachineToken(revoked);
  // An OAuth client revokes its access token through here (RFC 7009): the same.
  if (req.method === "POST" && req.nextUrl.pathname === REVOKE_OAUTH_TOKEN && res.ok && body) {
    await forgetRevokedOAuthToken(body);
  }
  // A page Clerk serves on its Frontend API (the emulator's stand-in provider pages) keeps the
  // policy it was sent with; the proxy's own is for what it answers itself.
  const policy = res.headers.get("content-security-policy");
  if (policy && res.headers.get("content-type")?.startsWith("text/html")) {
    state.security.set("content-security-policy", policy);
  }
  return res;
}

const REVOKE_OAUTH_TOKEN = "/__clerk/oauth/token/revoke";

// The revoked token is in the form the client sent; the cache knows it by its id, if at all.
async function forgetRevokedOAuthToken(body: Uint8Array<ArrayBuffer>) {
  const token = new URLSearchParams(Buffer.from(body).toString("utf8")).get("token");
  if (!token?.startsWith("oat_")) return;
  const known = await knownMachineToken(token);
  if (known?.status === "valid") await forgetMachineToken(known.identity.id);
}

// The Frontend API's revocation of an API key (what <APIKeys/> calls), and the key's id.
const REVOKE_API_KEY = /^\/__clerk\/(?:v1\/)?api_keys\/((?:ak|api_key)_\w+)\/revoke$/;
