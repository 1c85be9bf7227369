import type { NextFetchEvent, NextRequest } from "next/server";
import { credentialRateLimit, planRateLimit, recheckedRateLimit } from "@/auth/authorize";
import { clerkUnavailable } from "@/auth/clerk-availability";
import { askClerkAbout, knownMachineToken } from "@/auth/credential-cache";
import { sealCredential } from "@/auth/credential-handoff";
import type { MachineVerification, OpaqueTokenType } from "@/auth/machine-tokens";
import { type BearerVerification, fromMachine, verifyBearer } from "@/auth/principal";
import { allowedMethods, describeTokenTypes } from "@/auth/route-table";
import {
  apiLimitFor,
  authFailuresAllowed,
  consumeApiRequest,
  credentialKey,
  holdApiRequestTo,
  type LimitState,
  planRateLimitsApply,
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
  tokenTypeOf,
} from "./credentials";
import { forward, type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";

// The gate of the API's operations: the token types the route table names for the route, under
// the rate limits. Cheap refusals first (a token type the route does not take, an address with too
// many failures, a token over its limit, a JWT no Clerk key signed), so Clerk is asked only about
// credentials worth a call. Each credential's limit is its organization plan's (unless
// API_RATE_LIMIT fixes one for everyone): known from a session's claims, or once Clerk has said
// whose an API key is.
// A bearer token (what scripts, servers and machines send) is verified here, without Clerk's
// middleware, whose handshakes and cookies serve browsers: a JWT (session, JWT-format M2M or
// OAuth token) with Clerk's key; an opaque machine token (API key, `mt_`, `oat_`) through the
// cache of Clerk's answers (src/auth/credential-cache.ts). One the cache does not know costs a
// Backend API call: it takes its address's failure point first and gives it back if Clerk finds
// it valid (or could not say), so a burst of made-up tokens cannot outrun the failure limit.
// A browser's session cookie goes through Clerk's middleware.

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
  if (access.kind !== "api" && access.kind !== "mcp") {
    throw new Error("proxy: the API gate ran for another kind of route");
  }
  return access.accepts;
}

const invalidCredential = (state: RequestState) =>
  `Send ${describeTokenTypes(acceptedTypes(state))} as \`Authorization: Bearer <token>\`.`;

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

// An opaque machine token, from the cache, else from Clerk under its address's failure point:
// kept if Clerk refused the token or did not answer in time (it may have verified it, and billed
// it), given back otherwise. A refusal the cache remembered counts as a failure of its own.
async function verifyOpaque(
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
  const verified = await askClerkAbout(tokenTypeOf(token) as OpaqueTokenType, token);
  const keep =
    verified.status === "invalid" || (verified.status === "unavailable" && verified.late);
  if (!keep) await attempt?.release();
  return verified;
}

async function bearerGate(req: NextRequest, state: RequestState, bearer: string) {
  let verified: BearerVerification;
  if (isOpaqueMachineToken(bearer)) {
    // Counted before it is verified: a token over its limit costs Clerk nothing. Its plan's limit
    // is known once it is verified.
    state.limit = await consumeApiRequest(credentialKey(bearer), null);
    if (!state.limit.allowed) return tooMany(state, state.limit);
    const machine = await verifyOpaque(state, bearer);
    if ("limit" in machine) return tooMany(state, machine);
    verified = fromMachine(machine);
    // The failure is already counted.
    if (verified.status === "invalid") return unauthenticated(state, invalidCredential(state));
  } else {
    verified = await verifyBearer(bearer);
    if (verified.status === "invalid") return refuseCredential(state, verified.detail);
  }
  if (verified.status === "unavailable") return unavailable(state);
  const { credential } = verified;
  const planLimit = planRateLimitsApply() ? await credentialRateLimit(credential) : null;
  if (planLimit === "unavailable") return unavailable(state);
  const limit = apiLimitFor(planLimit);
  if (state.limit) {
    // Counted before it was verified: now held to its plan's limit (over it, to the plan's as
    // Clerk has it now, should the stored plan be behind).
    state.limit = await holdApiRequestTo(
      credentialKey(bearer),
      state.limit,
      limit,
      planLimit === null ? undefined : () => recheckedRateLimit(credential),
    );
  } else {
    // What was not counted before it was verified is counted by who it is: a session by its user
    // in its organization (its tokens change every minute), a JWT-format M2M token by its machine.
    state.limit = await consumeApiRequest(
      credential.tokenType === "session_token"
        ? `user:${credential.userId}:${credential.orgId ?? "personal"}`
        : credential.tokenType === "m2m_token"
          ? `machine:${credential.subject}`
          : `user:${credential.subject}`,
      limit,
    );
  }
  if (!state.limit.allowed) return tooMany(state, state.limit);
  state.handoff = sealCredential(bearer, credential);
  return forward(req, state, rateLimitHeaders(state.limit));
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
  // A token of a type the route does not take is refused here, without asking Clerk (nor
  // counting as a failed credential).
  if (presented && !acceptedTypes(state).includes(presented)) {
    return unauthenticated(state, `This route takes ${describeTokenTypes(acceptedTypes(state))}.`);
  }
  const tokens = signedTokens(req, bearer);
  state.credentialPresented = bearer !== null || tokens.length > 0;
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  if (bearer) return bearerGate(req, state, bearer);
  const keys = await checkSigningKeys(tokens);
  if (keys.status === "unavailable") return unavailable(state);
  if (keys.status === "unknown") {
    return refuseCredential(state, "The token is not signed by Clerk.");
  }
  state.jwtKey = keys.jwtKey;
  return askClerk(req, event, state, afterClerk);
}
