import { credentialRateLimit, recheckedRateLimit } from "@/auth/authorize";
import { askClerkAbout, knownMachineToken } from "@/auth/credential-cache";
import type { MachineVerification, OpaqueTokenType } from "@/auth/machine-tokens";
import {
  type BearerVerification,
  fromMachine,
  type VerifiedCredential,
  verifyBearerJwt,
} from "@/auth/principal";
import { describeTokenTypes, type TokenType } from "@/auth/route-table";
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
import { isOpaqueMachineToken, tokenTypeOf } from "./credentials";
import { type RequestState, tooMany, unauthenticated, unavailable } from "./request-state";

// A bearer token (what scripts, servers and machines send) at an API route, under the rate limits:
// verified here, without Clerk's middleware, whose handshakes and cookies serve browsers. Cheap
// refusals first (a token type the route does not take, an address with too many failures, a
// token over its limit), so Clerk is asked only about credentials worth a call. A JWT (session,
// JWT-format M2M or OAuth token) is verified with Clerk's key; an opaque machine token (API key,
// `mt_`, `oat_`) through the cache of Clerk's answers (src/auth/credential-cache.ts). One the
// cache does not know costs a Backend API call: it takes its address's failure point first and
// gives it back if Clerk finds it valid (or could not say), so a burst of made-up tokens cannot
// outrun the failure limit. Each credential's limit is its organization plan's (unless
// API_RATE_LIMIT fixes one for everyone), known once Clerk has said whose it is.
// The proxy runs this for the API's routes it sees (src/auth/gates/api-gate.ts); the API's
// operations run it themselves for the bearer requests the proxy's matcher leaves to them
// (src/api/api-operation.ts).

// What a bearer token admitted gets: its credential, and the rate-limit headers of its answer.
export type Admitted = { credential: VerifiedCredential; headers: Record<string, string> };

function acceptedTypes(state: RequestState): readonly TokenType[] {
  const { access } = state.rule;
  if (access.kind !== "api" && access.kind !== "mcp") {
    throw new Error("bearer gate: ran for a route that is not an API operation");
  }
  return access.accepts;
}

export const invalidCredential = (state: RequestState) =>
  `Send ${describeTokenTypes(acceptedTypes(state))} as \`Authorization: Bearer <token>\`.`;

export async function refuseCredential(state: RequestState, detail: string): Promise<Response> {
  if (state.clientAddress) await recordAuthFailure(state.clientAddress);
  return unauthenticated(state, detail);
}

// A token of a type the route does not take is refused without asking Clerk (nor counting as a
// failed credential); so is any credential from an address over its failure limit.
export async function refusedPresentation(
  state: RequestState,
  presented: TokenType | null,
  credentialPresented: boolean,
): Promise<Response | null> {
  if (presented && !acceptedTypes(state).includes(presented)) {
    return unauthenticated(state, `This route takes ${describeTokenTypes(acceptedTypes(state))}.`);
  }
  state.credentialPresented = credentialPresented;
  if (state.credentialPresented && state.clientAddress) {
    const failures = await authFailuresAllowed(state.clientAddress);
    if (!failures.allowed) return tooMany(state, failures);
  }
  return null;
}

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

export async function admitBearer(
  state: RequestState,
  bearer: string,
): Promise<Response | Admitted> {
  const refused = await refusedPresentation(state, tokenTypeOf(bearer), true);
  if (refused) return refused;
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
    verified = await verifyBearerJwt(bearer);
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
  return { credential, headers: rateLimitHeaders(state.limit) };
}
