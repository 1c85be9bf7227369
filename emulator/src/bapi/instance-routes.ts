import type { Core } from "../core";
import type { Router } from "../http/router";
import { randomBase62 } from "../store/ids";
import { json } from "./shared";

const TESTING_TOKEN_TTL_SECONDS = 60 * 60;

export function registerInstanceRoutes(router: Router, core: Core) {
  router
    .add("GET", "/v1/jwks", () => json({ keys: [core.signingKey.publicJwk] }))
    // @clerk/testing's clerkSetup() asks for one; the emulator needs none, so any token is fine.
    .add("POST", "/v1/testing_tokens", () =>
      json({
        object: "testing_token",
        token: `${Math.floor(core.now() / 1000)}-${randomBase62(24)}`,
        expires_at: Math.floor(core.now() / 1000) + TESTING_TOKEN_TTL_SECONDS,
      }),
    );
}
