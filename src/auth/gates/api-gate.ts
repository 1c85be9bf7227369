import type { NextFetchEvent, NextRequest } from "next/server";
import { planRateLimit } from "@/auth/authorize";
import { clerkUnavailable } from "@/auth/clerk-availability";
import { sealCredential } from "@/auth/credential-handoff";
import {
  apiLimitFor,
  consumeApiRequest,
  planRateLimitsApply,
  rateLimitHeaders,
} from "@/rate-limit/limits";
import {
  admitBearer,
  invalidCredential,
  refuseCredential,
  refusedPresentation,
} from "./bearer-gate";
import { type AfterClerk, askClerk } from "./clerk";
import { bearerOf, checkSigningKeys, presentedTokenType, signedTokens } from "./credentials";
import { forward, type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";
import { optionsAnswer } from "./up-front";

// The gate of the API's routes as the proxy sees them: a bearer token through the bearer gate
// (src/auth/gates/bearer-gate.ts), its verified credential sealed for the handler; a browser's
// session cookie through Clerk's middleware, once a Clerk key is known to have signed it. Each
// credential's limit is its organization plan's (unless API_RATE_LIMIT fixes one for everyone):
// known from a session's claims.

// Clerk's reasons for an unauthenticated answer that mean it could not be asked, not that the
// credential is bad: the Backend API failed or timed out, refused the app's secret key, or its
// JWKS could not be loaded.
const CLERK_FAULTS = new Set([
  "unexpected-error",
  "secret-key-invalid",
  "jwk-remote-failed-to-load",
]);

// A browser's session cookie, read by Clerk's middleware.
const afterClerk: AfterClerk = async (auth, req, state) => {
  const result = await auth();
  if (!result.isAuthenticated) {
    const reason = String(result.debug?.().reason ?? "");
    if (CLERK_FAULTS.has(reason)) {
      clerkUnavailable(reason);
      return unavailable(state);
    }
    if (!state.credentialPresented) return unauthenticated(state, invalidCredential(state));
    return refuseCredential(state, invalidCredential(state));
  }
  const orgId = result.orgId ?? null;
  const planLimit = planRateLimitsApply() ? await planRateLimit({ orgId, has: result.has }) : null;
  if (planLimit === "unavailable") return unavailable(state);
  // A session is counted by its user in its organization: its tokens change every minute.
  state.limit = await consumeApiRequest(
    `user:${result.userId}:${orgId ?? "personal"}`,
    apiLimitFor(planLimit),
  );
  if (!state.limit.allowed) return tooMany(state, state.limit);
  return forward(req, state, rateLimitHeaders(state.limit));
};

export async function apiGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  if (req.method === "OPTIONS") return optionsAnswer(state);
  const bearer = bearerOf(req);
  if (bearer) {
    const admitted = await admitBearer(state, bearer);
    if (admitted instanceof Response) return admitted;
    state.handoff = sealCredential(bearer, admitted.credential);
    return forward(req, state, admitted.headers);
  }
  const tokens = signedTokens(req, null);
  const refused = await refusedPresentation(
    state,
    presentedTokenType(req, null),
    tokens.length > 0,
  );
  if (refused) return refused;
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    return refuseCredential(state, "The token is not signed by Clerk.");
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
