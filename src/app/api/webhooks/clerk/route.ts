import { Webhook, WebhookVerificationError } from "svix";
import { databaseErrorReason, sqlState } from "@/db/database-errors";
import { serverEnv } from "@/env/server-env";
import { problem, problemResponse } from "@/http/problem";
import { requestContext } from "@/http/request-context";
import { readBodyText } from "@/http/request-input";
import { logger } from "@/observability/logger";
import { applyClerkDelivery } from "@/webhooks/clerk-batch";
import { parseClerkEvent } from "@/webhooks/clerk-events";

// Clerk's events are a few kilobytes; anything near this is not from Clerk and is refused unread.
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

function accepted(status: "processed" | "duplicate" | "ignored") {
  return Response.json({ status });
}

// A signed event this app can never store (not Clerk's shape, a value no column holds) would fail
// the same way on every retry: it is answered 2xx, so Svix stops, and logged as an error with its
// svix-id and what was wrong, for an operator to look at (and `npm run clerk:sync` to reconcile).
function rejected(issues: { path: string; message: string }[]) {
  return Response.json({ status: "rejected", issues });
}

// Postgres refusing the data itself (SQLSTATE class 22, data exception): the same data would be
// refused again.
function isDataException(err: unknown): boolean {
  return sqlState(err)?.startsWith("22") ?? false;
}

// Clerk's webhooks, delivered by Svix: verify the raw body, parse, apply in one transaction (with
// others that arrive meanwhile: src/webhooks/clerk-batch.ts).
// Any non-2xx answer makes Svix retry the same svix-id later, for about a day and a half.
export async function POST(req: Request) {
  const { requestId } = await requestContext();
  const svixId = req.headers.get("svix-id") ?? "";
  // Not verified yet: cut short in the log (JSON lines cannot be forged through it).
  const log = logger.child({
    request_id: requestId,
    route: "/api/webhooks/clerk",
    svix_id: svixId.slice(0, 64),
  });
  const refuse = (type: Parameters<typeof problem>[0], detail: string, extra = {}) =>
    problemResponse(problem(type, detail, extra), {}, requestId);

  const secret = serverEnv().CLERK_WEBHOOK_SIGNING_SECRET;
  if (!secret) {
    // 503 rather than 2xx: once the secret is configured, Svix's retries deliver what was missed.
    log.error("CLERK_WEBHOOK_SIGNING_SECRET is not set; refusing deliveries");
    return refuse("service-unavailable", "Webhook receiving is not configured on this server.");
  }

  // The signature covers the exact bytes sent: verify the body as received, never re-serialised.
  const body = await readBodyText(req, MAX_WEBHOOK_BYTES);
  if (body === null) {
    log.warn("body over the size limit");
    return refuse("content-too-large", `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);
  }
  let payload: unknown;
  try {
    payload = new Webhook(secret).verify(body, {
      "svix-id": svixId,
      "svix-timestamp": req.headers.get("svix-timestamp") ?? "",
      "svix-signature": req.headers.get("svix-signature") ?? "",
    });
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      log.warn({ reason: err.message }, "rejected: signature");
      return refuse(
        "unauthenticated",
        "The svix-id, svix-timestamp and svix-signature headers must carry a valid, current signature of the body.",
      );
    }
    log.error("rejected: a signed body that is not JSON");
    return rejected([{ path: "body", message: "is not JSON" }]);
  }

  const event = parseClerkEvent(payload);
  if (event.kind === "unhandled") {
    log.info({ event_type: event.type }, "ignored");
    return accepted("ignored");
  }
  if (event.kind === "malformed") {
    log.error({ event_type: event.type, issues: event.issues }, "rejected: not Clerk's shape");
    return rejected(event.issues);
  }

  try {
    const outcome = await applyClerkDelivery({
      svixId,
      eventType: event.type,
      change: event.change,
      requestId,
    });
    log.info({ event_type: event.type, outcome }, "applied");
    return accepted(outcome);
  } catch (err) {
    // Drizzle's query errors quote the parameters (personal data); the cause says what went wrong.
    const reason = databaseErrorReason(err);
    if (isDataException(err)) {
      log.error({ event_type: event.type, reason }, "rejected: the database refuses its data");
      return rejected([{ path: "data", message: reason }]);
    }
    log.error({ event_type: event.type, reason }, "not stored; Svix will retry");
    return problemResponse(
      problem("service-unavailable", "The event could not be stored; deliver it again later."),
      { "retry-after": "5" },
      requestId,
    );
  }
}
