import { markUnavailable } from "@/http/front-door";
import { unavailableService } from "@/http/unavailable";

// Runs once when the Next server starts: a bad environment stops it with a clear message instead
// of failing on the first request, the store of the rate limits and verified API keys is
// connected, and Clerk's signing keys are fetched, so sessions are verified from the first request
// on and through a Clerk outage that begins after the start.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { serverEnv } = await import("@/env/server-env");
    serverEnv();
    const { prepareRateLimits } = await import("@/rate-limit/limits");
    const { prepareSigningKeys } = await import("@/auth/signing-keys");
    const { prepareCredentialCache } = await import("@/auth/credential-cache");
    await Promise.all([prepareRateLimits(), prepareSigningKeys(), prepareCredentialCache()]);
  }
}

// A page, action or handler that threw: one log line with the request id (set by src/proxy.ts)
// and Next's digest, which the error page shows as its reference, so a user's report finds the
// request. One that failed because a service it needs did not answer is first marked so, before
// Next answers (synchronously: Next calls this as the error happens), and the server's front door
// answers 503 instead of Next's 500 (src/http/front-door.ts); its line is a warning, without a
// stack: the outage is logged where it is found.
export async function onRequestError(
  error: unknown,
  request: { path: string; method: string; headers: Record<string, string | string[] | undefined> },
) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const service = unavailableService(error);
  if (service) markUnavailable(service);
  const { logger } = await import("@/observability/logger");
  const { REQUEST_ID_HEADER } = await import("@/http/request-identity");
  const err = error as Error & { digest?: string };
  const where = {
    request_id: request.headers[REQUEST_ID_HEADER] ?? null,
    digest: err.digest ?? null,
    method: request.method,
    path: request.path,
  };
  if (service) {
    logger.warn({ ...where, service }, "request failed: a service it needs is unavailable");
    return;
  }
  logger.error({ ...where, err: { message: err.message, stack: err.stack } }, "request failed");
}
