// Runs once when the Next server starts: a bad environment stops it with a clear message instead
// of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { serverEnv } = await import("@/env/server-env");
    serverEnv();
  }
}
