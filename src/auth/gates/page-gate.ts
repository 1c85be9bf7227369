import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { acceptsApiKeys } from "@/auth/route-table";
import { problem } from "@/http/problem";
import { onAppOrigin } from "./app-origin";
import { type AfterClerk, askClerk } from "./clerk";
import {
  API_KEY_PREFIX,
  bearerOf,
  checkSigningKeys,
  isSessionCookie,
  sessionTokens,
} from "./credentials";
import { forward, type RequestState, refuse, unavailable } from "./request-state";

// The gate of pages (public or signed-in): Clerk recognises the visitor; a signed-in page sends
// whoever is not signed in to sign in.

const afterClerk: AfterClerk = async (auth, req, state) => {
  if (state.rule.access.kind === "signed-in-page") {
    const { isAuthenticated, redirectToSignIn } = await auth();
    if (!isAuthenticated) return redirectToSignIn({ returnBackUrl: req.url });
  }
  return forward(req, state);
};

export async function pageGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const bearer = bearerOf(req);
  // clerkMiddleware verifies every `ak_` bearer with Clerk (a billed Backend API call) before any
  // handler runs. Routes that never accept API keys refuse one here, without asking Clerk.
  if (!acceptsApiKeys(state.rule.access) && bearer?.startsWith(API_KEY_PREFIX)) {
    return refuse(
      state,
      problem(
        "unauthenticated",
        "This route does not accept API keys; the API's operations under /api/v1 do.",
      ),
    );
  }
  const keys = await checkSigningKeys(sessionTokens(req, bearer));
  if (keys.status === "unknown") {
    // Session cookies signed by a key Clerk does not have (say, from another Clerk instance on
    // the same host): drop them and let Clerk's handshake sign the browser in again, if it can.
    const res = NextResponse.redirect(onAppOrigin(req.nextUrl), req.method === "GET" ? 307 : 303);
    for (const c of req.cookies.getAll()) {
      if (isSessionCookie(c.name)) res.cookies.delete(c.name);
    }
    return res;
  }
  // A session this server cannot check yet (Clerk's keys never fetched, Clerk not answering): a
  // signed-in page waits for Clerk rather than sending a signed-in user to sign in again.
  if (keys.status === "unavailable" && state.rule.access.kind === "signed-in-page") {
    return unavailable(state);
  }
  if (keys.status === "ok") state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
