import { type NextFetchEvent, NextRequest } from "next/server";
import { forgetMachineToken } from "@/auth/credential-cache";
import { isFrontendApiPath } from "@/auth/route-table";
import { problem } from "@/http/problem";
import { askClerk } from "./clerk";
import { bearerOf, tokenTypeOf } from "./credentials";
import { forward, type RequestState, refuse } from "./request-state";

// The gate of Clerk's Frontend API, proxied through this origin (`/__clerk`): clerkMiddleware
// forwards it to Clerk (or the emulator's Frontend API origin), with what this proxy vouches for.

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
function vouchedFor(req: NextRequest, state: RequestState): NextRequest {
  const headers = new Headers(req.headers);
  headers.delete("cf-connecting-ip");
  headers.delete("x-real-ip");
  if (state.clientAddress) headers.set("x-forwarded-for", state.clientAddress);
  else headers.delete("x-forwarded-for");
  if (!isSessionJwt(bearerOf(req) ?? "") && !OAUTH_SERVER_PATH.test(req.nextUrl.pathname)) {
    headers.delete("authorization");
  }
  return new NextRequest(req, { headers });
}

export async function frontendApiGate(
  req: NextRequest,
  event: NextFetchEvent,
  state: RequestState,
) {
  if (!isFrontendApiPath(req.nextUrl.pathname)) {
    return refuse(state, problem("not-found", "Not a Clerk Frontend API path."));
  }
  const res = await askClerk(vouchedFor(req, state), event, state, async (_auth, r, s) =>
    forward(r, s),
  );
  // Clerk's <APIKeys/> revokes a key through here: every instance stops trusting it at once.
  const revoked = req.method === "POST" && REVOKE_API_KEY.exec(req.nextUrl.pathname)?.[1];
  if (revoked && res.ok) await forgetMachineToken(revoked);
  // A page Clerk serves on its Frontend API (the emulator's stand-in provider pages) keeps the
  // policy it was sent with; the proxy's own is for what it answers itself.
  const policy = res.headers.get("content-security-policy");
  if (policy && res.headers.get("content-type")?.startsWith("text/html")) {
    state.security.set("content-security-policy", policy);
  }
  return res;
}

// The Frontend API's revocation of an API key (what <APIKeys/> calls), and the key's id.
const REVOKE_API_KEY = /^\/__clerk\/(?:v1\/)?api_keys\/((?:ak|api_key)_\w+)\/revoke$/;
