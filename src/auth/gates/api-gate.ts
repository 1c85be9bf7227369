import type { NextFetchEvent, NextRequest } from "next/server";
import { clerkAnswered, clerkUnavailable, mayAskClerk } from "@/auth/clerk-availability";
import { allowedMethods, describeTokenTypes } from "@/auth/route-table";
import {
  authFailuresAllowed,
  consumeApiRequest,
  credentialKey,
  rateLimitHeaders,
  recordAuthFailure,
  reserveAuthAttempt,
} from "@/rate-limit/limits";
import { type AfterClerk, askClerk } from "./clerk";
import {
  bearerOf,
  checkSigningKeys,
  isOpaqueMachineToken,
  presentedTokenType,
  signedTokens,
} from "./credentials";
import { forward, type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";

// The gate of the API's operations: the token types the route table names for the route, under
// the rate limits. Cheap refusals first (a token type the route does not take, an address with too
// many failures, a token over its limit, a JWT no Clerk key signed), so Clerk is asked only about
// credentials worth a call. Opaque machine tokens (API keys, `mt_`, `oat_`) cost a Backend API
// call each: such a token takes its address's failure point first and gives it back if Clerk
// finds it valid, so a burst of made-up tokens cannot outrun the failure limit. JWTs (sessions,
// JWT-format machine tokens) are verified here with Clerk's key.

// Clerk's reasons for an unauthenticated answer that mean it could not be asked, not that the
// credential is bad: the Backend API failed or timed out, refused the app's secret key, or its
// JWKS could not be loaded.
const CLERK_FAULTS = new Set([
  "unexpected-error",
  "secret-key-invalid",
  "jwk-remote-failed-to-load",
]);

function acceptedTypes(state: RequestState) {
  const { access } = state.rule;
  if (access.kind !== "api") throw new Error("proxy: the API gate ran for another kind of route");
  return access.accepts;
}

const invalidCredential = (state: RequestState) =>
  `Send ${describeTokenTypes(acceptedTypes(state))} as \`Authorization: Bearer <token>\`.`;

const afterClerk: AfterClerk = async (auth, req, state) => {
  const result = await auth({ acceptsToken: [...acceptedTypes(state)] });
  const bearer = bearerOf(req);
  const askedClerk = bearer !== null && isOpaqueMachineToken(bearer);
  if (!result.isAuthenticated) {
    const reason = String(result.debug?.().reason ?? "");
    if (CLERK_FAULTS.has(reason)) {
      clerkUnavailable(reason);
      return unavailable(state);
    }
    if (askedClerk) clerkAnswered();
    // A reserved attempt is already counted; it stays.
    if (state.authAttempt !== "reserved" && state.credentialPresented && state.clientAddress) {
      await recordAuthFailure(state.clientAddress);
    }
    return unauthenticated(state, invalidCredential(state));
  }
  if (askedClerk) {
    clerkAnswered();
    if (state.authAttempt === "reserved") state.authAttempt = "valid";
  }
  // What was not counted before Clerk was asked is counted by who it is: a session by its user
  // (its tokens change every minute), a JWT-format M2M token by its machine.
  if (!state.limit) {
    state.limit = await consumeApiRequest(
      result.tokenType === "m2m_token" ? `machine:${result.machineId}` : `user:${result.userId}`,
    );
    if (!state.limit.allowed) return tooMany(state, state.limit);
  }
  return forward(req, state, rateLimitHeaders(state.limit));
};

// Verifies an opaque token (an API key, an M2M or OAuth token) through Clerk under its address's
// failure point, taken first: the point is given back if Clerk was not asked, or found the token
// valid; it is kept if Clerk refused the token, and also if Clerk failed or did not answer in time
// (the verification may still have happened, and been billed: an answer lost on its way back is
// one too). During an outage at most one token every 2 s is let through to Clerk (mayAskClerk).
async function askClerkReserved(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  const attempt = state.clientAddress ? await reserveAuthAttempt(state.clientAddress) : null;
  if (attempt && !attempt.state.allowed) return tooMany(state, attempt.state);
  state.limit = await consumeApiRequest(credentialKey(bearerOf(req) ?? ""));
  if (!state.limit.allowed || !mayAskClerk()) {
    await attempt?.release();
    return state.limit.allowed ? unavailable(state) : tooMany(state, state.limit);
  }
  if (attempt) state.authAttempt = "reserved";
  const res = await askClerk(req, event, state, afterClerk);
  if (state.authAttempt === "valid") await attempt?.release();
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
  const presented = presentedTokenType(req, bearer);
  // clerkMiddleware verifies any token it is shown: one of a type the route does not take is
  // refused here, without asking Clerk (nor counting as a failed credential).
  if (presented && !acceptedTypes(state).includes(presented)) {
    return unauthenticated(state, `This route takes ${describeTokenTypes(acceptedTypes(state))}.`);
  }
  const tokens = signedTokens(req, bearer);
  state.credentialPresented = bearer !== null || tokens.length > 0;
  if (bearer && isOpaqueMachineToken(bearer)) return askClerkReserved(req, event, state);
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    if (state.clientAddress) await recordAuthFailure(state.clientAddress);
    return unauthenticated(state, "The token is not signed by Clerk.");
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
