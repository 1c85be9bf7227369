import type { Principal } from "@/auth/principal";
import { requestContext } from "@/http/request-context";
import type { AuditActor, AuditSource } from "./audit-log";

// The audit source of the current request: its actor, request id and client address.

export function actorOf(principal: Principal): AuditActor {
  return principal.tokenType === "api_key"
    ? { type: "api_key", id: principal.keyId, name: principal.keyName }
    : { type: "user", id: principal.userId };
}

// For /api/v1 handlers: the API key or the session's user.
export async function apiAuditSource(principal: Principal): Promise<AuditSource> {
  return { actor: actorOf(principal), ...(await requestContext()) };
}

// For pages' server actions: the signed-in user.
export async function userAuditSource(userId: string): Promise<AuditSource> {
  return { actor: { type: "user", id: userId }, ...(await requestContext()) };
}
