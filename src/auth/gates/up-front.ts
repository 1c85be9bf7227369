import { allowedMethods } from "@/auth/route-table";
import { problem } from "@/http/problem";
import { REQUEST_ID_HEADER } from "@/http/request-identity";
import { MAX_BODY_BYTES } from "@/http/request-input";
import { type RequestState, refuse } from "./request-state";

// The answers that need nothing but the route, given before any credential is looked at: by the
// proxy for every route it sees (src/proxy.ts), and by the API's operations for the bearer
// requests the proxy leaves to them (src/api/operation-bearer.ts).

// Server actions and Clerk's Frontend API: no page takes more (Next's own server-action limit).
const MAX_REQUEST_BYTES = 1024 * 1024;

// An API operation's OPTIONS: the methods it serves.
export function optionsAnswer(state: RequestState): Response {
  return new Response(null, {
    status: 204,
    headers: { allow: allowedMethods(state.rule).join(", "), [REQUEST_ID_HEADER]: state.requestId },
  });
}

export function methodNotAllowed(state: RequestState): Response {
  const allow = allowedMethods(state.rule).join(", ");
  return refuse(state, problem("method-not-allowed", `Use ${allow}.`), { allow });
}

// A method the route does not serve, a body declared larger than it takes.
export function refusedUpFront(req: Request, state: RequestState): Response | null {
  if (!(allowedMethods(state.rule) as readonly string[]).includes(req.method)) {
    return methodNotAllowed(state);
  }
  const declared = Number(req.headers.get("content-length") ?? 0);
  const limit = state.rule.access.kind === "api" ? MAX_BODY_BYTES : MAX_REQUEST_BYTES;
  if (declared > limit) {
    return refuse(state, problem("content-too-large", `The body must be at most ${limit} bytes.`));
  }
  return null;
}
