import type { AsyncLocalStorage } from "node:async_hooks";

// What the app tells the server's front door (scripts/serve.ts) about the request it is serving,
// through an AsyncLocalStorage the front door opens around each request. Next offers no way for a
// page to answer 503: a page that fails because a service it needs is unavailable throws, Next
// answers 500, and the front door, told here why, answers 503 with Retry-After instead (a 500
// stays a 500: a bug).

export type FrontDoorRequest = {
  // The request's id, chosen by the server (never by the client): in logs, answers and the audit
  // log.
  id: string;
  // Why the request could not be served (e.g. "database"), or null.
  unavailable: string | null;
};

// Shared through globalThis: the front door and the app's bundle each load their own copy of this
// module.
const KEY = Symbol.for("acme-projects.front-door");

type Holder = { [KEY]?: AsyncLocalStorage<FrontDoorRequest> };

export function openFrontDoor(storage: AsyncLocalStorage<FrontDoorRequest>): void {
  (globalThis as Holder)[KEY] = storage;
}

// The current request's id, as the front door chose it; undefined without the front door.
export function frontDoorRequestId(): string | undefined {
  return (globalThis as Holder)[KEY]?.getStore()?.id;
}

// Marks the current request as failed for a service that is unavailable. Without the front door
// (another server), a no-op.
export function markUnavailable(reason: string): void {
  const request = (globalThis as Holder)[KEY]?.getStore();
  if (request) request.unavailable ??= reason;
}
