import type { Principal } from "@/auth/principal";
import { type RequestContext, requestContext } from "@/http/request-context";
import type { AuditActor, AuditSource } from "./audit-log";

// The audit source of a request: its actor, request id and client address.

export function actorOf(principal: Principal): AuditActor {
  return principal.tokenType === "api_key"
    ? { type: "api_key", id: principal.keyId, name: principal.keyName }
    : { type: "user", id: principal.userId };
}

// For /api/v1 operations: the API key or the session's user, in the wrapper's request context.
export function apiAuditSource(principal: Principal, context: RequestContext): AuditSource {
  return {
    actor: actorOf(principal),
    requestId: context.requestId,
    clientAddress: context.clientAddress,
  };
}

// For pages' server actions: the signed-in user.
export async function userAuditSource(userId: string): Promise<AuditSource> {
  const { requestId, clientAddress } = await requestContext();
  return { actor: { type: "user", id: userId }, requestId, clientAddress };
}
