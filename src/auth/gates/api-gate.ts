import type { NextFetchEvent, NextRequest } from "next/server";
import { planRateLimit } from "@/auth/authorize";
import { clerkAnswered, clerkUnavailable, mayAskClerk } from "@/auth/clerk-availability";
import { allowedMethods } from "@/auth/route-table";
import {
  apiLimitFor,
  authFailuresAllowed,
  consumeApiRequest,
  credentialKey,
  holdApiRequestTo,
  planRateLimitsApply,
  rateLimitHeaders,
  recordAuthFailure,
  reserveAuthAttempt,
} from "@/rate-limit/limits";
import { type AfterClerk, askClerk } from "./clerk";
import { API_KEY_PREFIX, bearerOf, checkSigningKeys, sessionTokens } from "./credentials";
import { forward, type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";

// The gate of the API's operations: the token types the route table names for the route, under
// the rate limits. Cheap refusals first (an address with too many failures, a key over its limit,
// a session token no Clerk key signed), so Clerk is asked only about credentials worth a call. A
// key Clerk must verify (a billed call) takes its address's failure point first and gives it back
// if Clerk finds it valid, so a burst of made-up keys cannot outrun the failure limit.

// Clerk's reasons for an unauthenticated answer that mean it could not be asked, not that the
// credential is bad: the Backend API failed or timed out, refused the app's secret key, or its
// JWKS could not be loaded.
const CLERK_FAULTS = new Set([
  "unexpected-error",
  "secret-key-invalid",
  "jwk-remote-failed-to-load",
]);

const INVALID_CREDENTIAL =
  "Send a valid session token or API key as `Authorization: Bearer <token>`.";

const afterClerk: AfterClerk = async (auth, req, state) => {
  const { access } = state.rule;
  if (access.kind !== "api") throw new Error("proxy: the API gate ran for another kind of route");
  const result = await auth({ acceptsToken: [...access.accepts] });
  if (!result.isAuthenticated) {
    const reason = String(result.debug?.().reason ?? "");
    if (CLERK_FAULTS.has(reason)) {
      clerkUnavailable(reason);
      if (state.authAttempt === "reserved") state.authAttempt = "unverified";
      return unavailable(state);
    }
    if (result.tokenType === "api_key") clerkAnswered();
    // A reserved attempt is already counted; it stays.
    if (state.authAttempt !== "reserved" && state.credentialPresented && state.clientAddress) {
      await recordAuthFailure(state.clientAddress);
    }
    return unauthenticated(state, INVALID_CREDENTIAL);
  }
  if (result.tokenType === "api_key") {
    clerkAnswered();
    if (state.authAttempt === "reserved") state.authAttempt = "valid";
  }
  // The organization's plan sets the limit (unless API_RATE_LIMIT fixes it for everyone).
  const caller =
    result.tokenType === "api_key"
      ? { tokenType: "api_key" as const, orgId: result.orgId }
      : { tokenType: "session_token" as const, orgId: result.orgId ?? null, has: result.has };
  const planLimit = planRateLimitsApply() ? await planRateLimit(caller) : null;
  if (planLimit === "unavailable") return unavailable(state);
  const limit = apiLimitFor(planLimit);
  if (result.tokenType === "api_key") {
    const bearer = bearerOf(req);
    if (state.limit && bearer) {
      state.limit = await holdApiRequestTo(credentialKey(bearer), state.limit, limit);
    }
  } else {
    // A session is counted by its user in its organization: its tokens change every minute.
    const key = `user:${result.userId}:${result.orgId ?? "personal"}`;
    state.limit = await consumeApiRequest(key, limit);
  }
  if (state.limit && !state.limit.allowed) return tooMany(state, state.limit);
  return forward(req, state, state.limit ? rateLimitHeaders(state.limit) : {});
};

// Verifies an API key through Clerk under its address's failure point, taken first: the point is
// given back if Clerk was not asked, found the key valid, or failed without verifying it; it is
// kept if Clerk refused the key, or did not answer in time (the verification may have happened,
// and been billed).
async function askClerkReserved(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const attempt = state.clientAddress ? await reserveAuthAttempt(state.clientAddress) : null;
  if (attempt && !attempt.state.allowed) return tooMany(state, attempt.state);
  // Counted before Clerk is asked; held to the key's plan once Clerk says whose it is.
  state.limit = await consumeApiRequest(credentialKey(bearerOf(req) ?? ""), null);
  if (!state.limit.allowed || !mayAskClerk()) {
    await attempt?.release();
    return state.limit.allowed ? unavailable(state) : tooMany(state, state.limit);
  }
  if (attempt) state.authAttempt = "reserved";
  const res = await askClerk(req, event, state, afterClerk);
  if (state.authAttempt === "valid" || state.authAttempt === "unverified") await attempt?.release();
  return res;
}

export async function apiGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  if (req.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { allow: allowedMethods(state.rule).join(", ") },
    });
  }
  const bearer = bearerOf(req);
  const tokens = sessionTokens(req, bearer);
  state.credentialPresented = bearer !== null || tokens.length > 0;
  if (bearer?.startsWith(API_KEY_PREFIX)) return askClerkReserved(req, event, state);
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    if (state.clientAddress) await recordAuthFailure(state.clientAddress);
    return unauthenticated(state, "The session token is not signed by Clerk.");
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
