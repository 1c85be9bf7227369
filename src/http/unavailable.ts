import { isDatabaseUnavailable } from "@/db/database-errors";

// A request that cannot be served because a service it needs (Clerk, the database) does not
// answer: the client should try again later (503), unlike a fault in this code (500).

export type Service = "clerk" | "database";

// Thrown where the app finds a service unavailable; `digest` is what Next hands a page's error
// boundary (in place of the message), so it can say "try again" rather than "something broke".
export class ServiceUnavailable extends Error {
  readonly digest = "service-unavailable";

  constructor(
    readonly service: Service,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// An error of the Backend API's client that means Clerk did not answer the question: no
// connection, a 5xx, or its rate limit (429). Checked by shape: @clerk/backend's errors carry
// `clerkError`, and `status` is undefined when the request never got an answer.
export function isClerkUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null || !("clerkError" in err)) return false;
  const { status } = err as { status?: number };
  return status === undefined || status === 429 || status >= 500;
}

// Which service made `err` a 503, or null when it is a fault of this code.
export function unavailableService(err: unknown): Service | null {
  if (err instanceof ServiceUnavailable) return err.service;
  if ((err as { digest?: unknown })?.digest === "service-unavailable") {
    return (err as { service?: Service }).service ?? "clerk";
  }
  if (isDatabaseUnavailable(err)) return "database";
  if (isClerkUnavailable(err)) return "clerk";
  return null;
}
