import { logger } from "@/observability/logger";

// Whether Clerk (its Backend API) answers, as this server process last saw it. An outage is
// logged once when it starts and once when it ends, however many requests run into it. While it
// lasts, requests that need Clerk are answered 503 at once, and one of them every few seconds is
// let through to find out whether Clerk is back: a Clerk that hangs does not make every request
// wait for the full timeout, nor pile up connections to it.

// How long any call to Clerk may take before the request is answered 503.
export const CLERK_TIMEOUT_MS = 5_000;
const PROBE_INTERVAL_MS = 2_000;

type Outage = { since: number; lastProbe: number; refused: number };

const holder = globalThis as typeof globalThis & { __clerkOutage?: Outage | null };

export function clerkUnavailable(reason: string): void {
  if (holder.__clerkOutage) return;
  const now = Date.now();
  holder.__clerkOutage = { since: now, lastProbe: now, refused: 0 };
  logger.error({ reason }, "Clerk is unavailable: what needs it answers 503 until it is back");
}

export function clerkAnswered(): void {
  const outage = holder.__clerkOutage;
  if (!outage) return;
  holder.__clerkOutage = null;
  logger.info(
    { duration_ms: Date.now() - outage.since, refused_requests: outage.refused },
    "Clerk is available again",
  );
}

// Whether a request that needs Clerk should ask it now.
export function mayAskClerk(): boolean {
  const outage = holder.__clerkOutage;
  if (!outage) return true;
  if (Date.now() - outage.lastProbe >= PROBE_INTERVAL_MS) {
    outage.lastProbe = Date.now();
    return true;
  }
  outage.refused += 1;
  return false;
}
