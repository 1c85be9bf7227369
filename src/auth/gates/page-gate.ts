import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { acceptedTokenTypes } from "@/auth/route-table";
import { problem } from "@/http/problem";
import { isServerActionPost, malformedActionBody } from "./action-body";
import { onAppOrigin } from "./app-origin";
import { type AfterClerk, askClerk } from "./clerk";
import {
  bearerOf,
  checkSigningKeys,
  isSessionCookie,
  signedTokens,
  tokenTypeOf,
} from "./credentials";
import { forward, type RequestState, refuse, unavailable } from "./request-state";

// The gate of pages (public or signed-in): Clerk recognises the visitor; a signed-in page sends
// whoever is not signed in to sign in. A pending session (a session task to do) counts as signed
// out, as Clerk's default has it (its redirect goes to sign-in's tasks, and <SignIn/> on to the
// task's page), except on that page.

const afterClerk: AfterClerk = async (auth, req, state) => {
  const access = state.rule.access;
  if (access.kind === "signed-in-page") {
    const { isAuthenticated, redirectToSignIn } = await auth({
      treatPendingAsSignedOut: !access.tasks,
    });
    if (!isAuthenticated) return redirectToSignIn({ returnBackUrl: req.url });
  }
  return forward(req, state);
};

export async function pageGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const bearer = bearerOf(req);
  // clerkMiddleware verifies every machine token (API key, M2M, OAuth) it is shown before any
  // handler runs, opaque ones with a billed Backend API call. Pages take sessions only: any other
  // bearer is refused here, without asking Clerk.
  if (bearer && !acceptedTokenTypes(state.rule.access).includes(tokenTypeOf(bearer))) {
    return refuse(
      state,
      problem(
        "unauthenticated",
        "Pages take a session only; API keys and machine tokens go to the API under /api.",
      ),
    );
  }
  if (isServerActionPost(req)) {
    const malformed = await malformedActionBody(req);
    if (malformed) return refuse(state, problem("bad-request", malformed));
  }
  const keys = await checkSigningKeys(signedTokens(req, bearer));
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
