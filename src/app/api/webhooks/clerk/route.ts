import { Webhook, WebhookVerificationError } from "svix";
import { database } from "@/db/client";
import { serverEnv } from "@/env/server-env";
import { problem, problemResponse } from "@/http/problem";
import { requestContext } from "@/http/request-context";
import { parseClerkEvent } from "@/webhooks/clerk-events";
import { applyClerkEvent } from "@/webhooks/clerk-sync";

const LOG = "[clerk webhook]";

// Drizzle's query errors quote the parameters (personal data); the cause says what went wrong.
function reason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

function accepted(status: "processed" | "duplicate" | "ignored") {
  return Response.json({ status });
}

// Clerk's webhooks, delivered by Svix: verify the raw body, parse, apply in one transaction.
// Any non-2xx answer makes Svix retry the same svix-id later, for about a day and a half.
export async function POST(req: Request) {
  const secret = serverEnv().CLERK_WEBHOOK_SIGNING_SECRET;
  if (!secret) {
    // 503 rather than 2xx: once the secret is configured, Svix's retries deliver what was missed.
    console.error(`${LOG} CLERK_WEBHOOK_SIGNING_SECRET is not set; refusing deliveries`);
    return problemResponse(
      problem("service-unavailable", "Webhook receiving is not configured on this server."),
    );
  }

  // The signature covers the exact bytes sent: verify the body as received, never re-serialised.
  const body = await req.text();
  const svixId = req.headers.get("svix-id") ?? "";
  let payload: unknown;
  try {
    payload = new Webhook(secret).verify(body, {
      "svix-id": svixId,
      "svix-timestamp": req.headers.get("svix-timestamp") ?? "",
      "svix-signature": req.headers.get("svix-signature") ?? "",
    });
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      // The header is not verified: quoted and cut short, so it cannot forge log lines.
      console.warn(
        `${LOG} rejected svix-id ${JSON.stringify(svixId.slice(0, 64))}: ${err.message}`,
      );
      return problemResponse(
        problem(
          "unauthenticated",
          "The svix-id, svix-timestamp and svix-signature headers must carry a valid, current signature of the body.",
        ),
      );
    }
    console.warn(`${LOG} ${svixId}: signed body is not JSON`);
    return problemResponse(problem("bad-request", "The body is not JSON."));
  }

  const event = parseClerkEvent(payload);
  if (event.kind === "unhandled") {
    console.info(`${LOG} ${svixId}: ignored event type ${event.type}`);
    return accepted("ignored");
  }
  if (event.kind === "malformed") {
    console.warn(
      `${LOG} ${svixId}: malformed ${event.type ?? "event"}: ${JSON.stringify(event.issues)}`,
    );
    return problemResponse(
      problem("bad-request", `The ${event.type ?? "event"} payload is not what Clerk sends.`, {
        issues: event.issues,
      }),
    );
  }

  try {
    const { requestId } = await requestContext();
    const outcome = await applyClerkEvent(
      database().db,
      svixId,
      event.type,
      event.change,
      requestId,
    );
    if (outcome === "duplicate") console.info(`${LOG} ${svixId}: ${event.type} already processed`);
    return accepted(outcome);
  } catch (err) {
    console.error(`${LOG} ${svixId}: ${event.type} not stored, Svix will retry: ${reason(err)}`);
    return problemResponse(
      problem("service-unavailable", "The event could not be stored; deliver it again later."),
    );
  }
}
