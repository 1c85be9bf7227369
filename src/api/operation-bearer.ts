import type { NextRequest } from "next/server";
import { CREDENTIAL_HEADER, openCredential } from "@/auth/credential-handoff";
import { admitBearer } from "@/auth/gates/bearer-gate";
import { bearerOf } from "@/auth/gates/credentials";
import { newRequestState, type RequestState } from "@/auth/gates/request-state";
import { refusedUpFront } from "@/auth/gates/up-front";
import type { AdmittedBearer } from "@/auth/principal";

// The bearer token of an API operation's request, admitted. The proxy's matcher (src/proxy.ts)
// leaves a request that carries a bearer token to the operation it names: it needs nothing of
// Clerk's middleware, and passing Next's middleware cost as much as the operation itself. The
// operation then runs the same bearer gate the proxy runs (src/auth/gates/bearer-gate.ts), under
// the same limits, with a request id and start of its own (never the client's). A request the
// proxy did see carries the credential it sealed (src/auth/credential-handoff.ts); one with a seal
// that is forged, stale or another token's goes through the gate like any other.

export type OperationBearer = {
  // Null without a bearer token: a browser's session cookie, which the proxy saw.
  bearer: AdmittedBearer | null;
  // The gate's own request, when the operation admitted the token itself, and the rate-limit
  // headers its answer gets.
  direct?: { state: RequestState; headers: Record<string, string> };
};

// The operation's bearer token, or the gate's refusal (logged, with its request id).
export async function operationBearer(req: NextRequest): Promise<OperationBearer | Response> {
  const token = bearerOf(req);
  if (!token) return { bearer: null };
  const sealed = openCredential(req.headers.get(CREDENTIAL_HEADER), token);
  if (sealed) return { bearer: { token, credential: sealed } };
  // What next.config.ts gives every answer the proxy does not see: the security headers.
  const state = newRequestState(req, new Headers());
  const admitted = refusedUpFront(req, state) ?? (await admitBearer(state, token));
  if (admitted instanceof Response) return admitted;
  return {
    bearer: { token, credential: admitted.credential },
    direct: { state, headers: admitted.headers },
  };
}
