import { markUnavailable } from "@/http/front-door";
import { unavailableService } from "@/http/unavailable";

// Runs once when the Next server starts: a bad environment stops it with a clear message instead
// of failing on the first request, the rate limits' store is connected, and Clerk's signing keys
// are fetched, so sessions are verified from the first request on and through a Clerk outage that
// begins after the start.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { serverEnv } = await import("@/env/server-env");
    serverEnv();
    const { prepareRateLimits } = await import("@/rate-limit/limits");
    const { prepareSigningKeys } = await import("@/auth/signing-keys");
    await Promise.all([prepareRateLimits(), prepareSigningKeys()]);
  }
}

// A page, action or handler that threw. One that failed because a service it needs did not answer
// is marked so before Next answers (synchronously: Next calls this as the error happens), and the
// server's front door answers 503 instead of Next's 500 (src/http/front-door.ts).
export function onRequestError(error: unknown) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const service = unavailableService(error);
  if (service) markUnavailable(service);
}
