import type { NextFetchEvent, NextRequest } from "next/server";
import { clerkUnavailable } from "@/auth/clerk-availability";
import { askClerkAbout, knownMachineToken } from "@/auth/credential-cache";
import { sealCredential } from "@/auth/credential-handoff";
import { type MachineVerification, machineTokenType } from "@/auth/machine-tokens";
import { type BearerVerification, fromMachine, verifyBearer } from "@/auth/principal";
import { allowedMethods } from "@/auth/route-table";
import {
  authFailuresAllowed,
  consumeApiRequest,
  credentialKey,
  type LimitState,
  rateLimitHeaders,
  recordAuthFailure,
  reserveAuthAttempt,
} from "@/rate-limit/limits";
import { type AfterClerk, askClerk } from "./clerk";
import { bearerOf, checkSigningKeys, sessionTokens } from "./credentials";
import { forward, type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";

// The gate of the API's operations: the token types the route table names for the route, under
// the rate limits. Cheap refusals first (an address with too many failures, a key over its limit,
// a session token no Clerk key signed), so Clerk is asked only about credentials worth a call.
// A bearer token (what scripts and servers send) is verified here, without Clerk's middleware,
// whose handshakes and cookies serve browsers: a session token by its signature, a machine token
// through the cache of Clerk's answers (src/auth/credential-cache.ts). A key the cache does not
// know takes its address's failure point before Clerk is asked and gives it back if Clerk finds
// it valid (or could not say), so a burst of made-up keys cannot outrun the failure limit. A
// browser's session cookie goes through Clerk's middleware.

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

async function refuseCredential(state: RequestState, detail: string): Promise<Response> {
  if (state.clientAddress) await recordAuthFailure(state.clientAddress);
  return unauthenticated(state, detail);
}

// A browser's session cookie, read by Clerk's middleware.
const afterClerk: AfterClerk = async (auth, req, state) => {
  const result = await auth();
  if (!result.isAuthenticated) {
    const reason = String(result.debug?.().reason ?? "");
    if (CLERK_FAULTS.has(reason)) {
      clerkUnavailable(reason);
      return unavailable(state);
    }
    if (!state.credentialPresented) return unauthenticated(state, INVALID_CREDENTIAL);
    return refuseCredential(state, INVALID_CREDENTIAL);
  }
  // A session is counted by its user: its tokens change every minute.
  state.limit = await consumeApiRequest(`user:${result.userId}`);
  if (!state.limit.allowed) return tooMany(state, state.limit);
  return forward(req, state, rateLimitHeaders(state.limit));
};

// A machine token, from the cache, else from Clerk under its address's failure point: kept if
// Clerk refused the token or did not answer in time (it may have verified it, and billed it),
// given back otherwise. A refusal the cache remembered counts as a failure of its own.
async function verifyMachine(
  state: RequestState,
  token: string,
): Promise<MachineVerification | LimitState> {
  const known = await knownMachineToken(token);
  if (known) {
    if (known.status === "invalid" && state.clientAddress) {
      await recordAuthFailure(state.clientAddress);
    }
    return known;
  }
  const attempt = state.clientAddress ? await reserveAuthAttempt(state.clientAddress) : null;
  if (attempt && !attempt.state.allowed) return attempt.state;
  const verified = await askClerkAbout(token);
  const keep =
    verified.status === "invalid" || (verified.status === "unavailable" && verified.late);
  if (!keep) await attempt?.release();
  return verified;
}

async function bearerGate(req: NextRequest, state: RequestState, bearer: string) {
  const { access } = state.rule;
  if (access.kind !== "api") throw new Error("proxy: the API gate ran for another kind of route");
  const tokenType = machineTokenType(bearer) ?? "session_token";
  if (!access.accepts.includes(tokenType)) return refuseCredential(state, INVALID_CREDENTIAL);
  let verified: BearerVerification;
  if (tokenType === "session_token") {
    verified = await verifyBearer(bearer);
    if (verified.status === "invalid") return refuseCredential(state, verified.detail);
  } else {
    // Counted before it is verified: a key over its limit costs Clerk nothing.
    state.limit = await consumeApiRequest(credentialKey(bearer));
    if (!state.limit.allowed) return tooMany(state, state.limit);
    const machine = await verifyMachine(state, bearer);
    if ("limit" in machine) return tooMany(state, machine);
    verified = fromMachine(machine);
    // The failure is already counted.
    if (verified.status === "invalid") return unauthenticated(state, verified.detail);
  }
  if (verified.status === "unavailable") return unavailable(state);
  const { credential } = verified;
  if (credential.tokenType === "session_token") {
    state.limit = await consumeApiRequest(`user:${credential.userId}`);
    if (!state.limit.allowed) return tooMany(state, state.limit);
  }
  state.handoff = sealCredential(bearer, credential);
  return forward(req, state, state.limit ? rateLimitHeaders(state.limit) : {});
}

export async function apiGate(req: NextRequest, event: NextFetchEvent, state: RequestState) {
  if (req.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { allow: allowedMethods(state.rule).join(", ") },
    });
  }
  const bearer = bearerOf(req.headers);
  const tokens = sessionTokens(req, bearer);
  state.credentialPresented = bearer !== null || tokens.length > 0;
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  if (bearer) return bearerGate(req, state, bearer);
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    return refuseCredential(state, "The session token is not signed by Clerk.");
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
