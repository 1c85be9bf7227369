import { auth } from "@clerk/nextjs/server";
import type { Principal } from "@/auth/principal";
import { type RequestContext, requestContext } from "@/http/request-context";
import type { AuditActor, AuditSource } from "./audit-log";

// The audit source of a request: its actor, request id and client address.

export function actorOf(principal: Principal): AuditActor {
  switch (principal.tokenType) {
    case "api_key":
      return { type: "api_key", id: principal.keyId, name: principal.keyName };
    case "session_token":
      return { type: "user", id: principal.userId, impersonatorId: principal.impersonatorId };
    case "m2m_token":
      return { type: "machine", id: principal.machineId };
    case "oauth_token":
      return { type: "oauth_app", id: principal.userId, appName: principal.appName };
  }
}

// For API operations: the API key, the session's user, the user via an application or the machine, in the wrapper's request
// context.
export function apiAuditSource(principal: Principal, context: RequestContext): AuditSource {
  return {
    actor: actorOf(principal),
    requestId: context.requestId,
    clientAddress: context.clientAddress,
  };
}

// For pages' server actions: the signed-in user, and who is impersonating them, if anyone.
export async function userAuditSource(userId: string): Promise<AuditSource> {
  const [{ requestId, clientAddress }, { actor }] = await Promise.all([requestContext(), auth()]);
  return {
    actor: { type: "user", id: userId, impersonatorId: actor?.sub ?? null },
    requestId,
    clientAddress,
  };
}
