// Origins that serve Clerk's Backend API in this test worker (the emulators the tests started).
// Kept on globalThis: vitest evaluates modules once per test file, the fetch wrapper once per
// worker, and both must see the same set.
const KEY = Symbol.for("clerk-b2b-saas-reference.clerk-api-origins");
const store = globalThis as typeof globalThis & { [KEY]?: Set<string> };

export const clerkApiOrigins: Set<string> = store[KEY] ?? new Set<string>();
store[KEY] = clerkApiOrigins;
