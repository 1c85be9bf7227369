import { activeSessionsOf } from "../domain/dev-browsers";
import { fapiClientJSON } from "../json/fapi-json";
import { mintSessionToken } from "../tokens/session-token";
import type { FapiCtx } from "./context";

// Every Frontend API answer carries the whole, current client ("piggybacking"): clerk-js replaces
// its client state with it, so each active session comes with a fresh token.
export async function clientJSON(f: FapiCtx) {
  const tokens = new Map<string, string>();
  for (const session of activeSessionsOf(f.core, f.client)) {
    tokens.set(
      session.id,
      await mintSessionToken(f.core, session, { authorizedParty: f.appOrigin }),
    );
  }
  return fapiClientJSON(f.core, f.client, tokens);
}

export async function withClient(f: FapiCtx, response: unknown) {
  return { status: 200, json: { response, client: await clientJSON(f) } };
}
