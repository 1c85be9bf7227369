// Runs once when the Next server starts: a bad environment stops it with a clear message instead
// of failing on the first request, and the stores of the rate limits and of verified credentials
// are connected before it serves.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { serverEnv } = await import("@/env/server-env");
    serverEnv();
    const { prepareRateLimits } = await import("@/rate-limit/limits");
    const { prepareCredentialCache } = await import("@/auth/credential-cache");
    await Promise.all([prepareRateLimits(), prepareCredentialCache()]);
  }
}

// A page or handler that threw: one log line with the request id (set by src/proxy.ts) and Next's
// digest, which the error page shows as its reference, so a user's report finds the request.
export async function onRequestError(
  error: unknown,
  request: { path: string; method: string; headers: Record<string, string | string[] | undefined> },
) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logger } = await import("@/observability/logger");
  const { REQUEST_ID_HEADER } = await import("@/http/request-identity");
  const err = error as Error & { digest?: string };
  logger.error(
    {
      request_id: request.headers[REQUEST_ID_HEADER] ?? null,
      digest: err.digest ?? null,
      method: request.method,
      path: request.path,
      err: { message: err.message, stack: err.stack },
    },
    "request failed",
  );
}
