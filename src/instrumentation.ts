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
