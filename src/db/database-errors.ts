// Which failures mean "the database cannot answer right now" (the client should retry later:
// 503) rather than a fault in this code (500).

// postgres.js and Node socket error codes for a connection that could not be made or was lost.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// SQLSTATE classes and codes of a server that is unreachable, overloaded, shutting down, or that
// gave up on a statement: 08 connection exception, 53 insufficient resources, 57 operator
// intervention (57P01 terminated by an administrator, 57014 statement timeout), 58 system error,
// and the transient conflicts a retry resolves (serialization failure, deadlock, lock timeout).
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)|^(40001|40P01|55P03)$/;

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}

// The SQLSTATE the server answered with, if the failure was its answer (e.g. 22P02, 40P01).
export function sqlState(err: unknown): string | null {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return causes(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") return false;
    return CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code);
  });
}

// The message of the innermost cause: Drizzle's own message quotes the query's parameters, which
// may hold personal data.
export function databaseErrorReason(err: unknown): string {
  const chain = causes(err);
  const inner = chain.at(-1);
  return inner instanceof Error ? inner.message : String(err);
}
