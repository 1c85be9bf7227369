import { jwtVerify } from "jose";
import type { Core } from "../core";
import { findMembership } from "../domain/memberships";
import { permissionKeysOf } from "../domain/roles";
import { getSession } from "../domain/sessions";
import { bearerMatches, bearerToken } from "../http/bearer";
import { errors } from "../http/clerk-errors";
import type { RequestInfo } from "../http/router";

// The API-key endpoints serve two callers on the same paths: servers on the Backend API origin
// (the instance secret as bearer) and <APIKeys/> on the Frontend API origin (the user's session
// token as bearer). The secret means nothing on the Frontend API origin.
export type ApiKeyCaller =
  | { kind: "instance" }
  // The session's active organization, if any, stands for the user's "current" subject.
  | { kind: "user"; userId: string; activeOrganizationId: string | null };

export async function apiKeyCaller(core: Core, req: RequestInfo): Promise<ApiKeyCaller> {
  if (req.origin === "backend") {
    if (bearerMatches(req.headers, core.config.secretKey)) return { kind: "instance" };
    throw errors.unauthenticated();
  }
  const token = bearerToken(req.headers);
  if (!token) throw errors.unauthenticated();
  try {
    const { payload } = await jwtVerify(token, core.signingKey.publicKey, {
      algorithms: ["RS256"],
    });
    const session = typeof payload.sid === "string" ? getSession(core, payload.sid) : undefined;
    if (session?.status !== "active" || session.userId !== payload.sub)
      throw errors.unauthenticated();
    return {
      kind: "user",
      userId: session.userId,
      activeOrganizationId: session.lastActiveOrganizationId,
    };
  } catch {
    throw errors.unauthenticated();
  }
}

// A user manages their own keys, and an organization's keys with Clerk's API-key permissions.
export function assertMayAccess(
  core: Core,
  caller: ApiKeyCaller,
  subject: string,
  action: "read" | "manage",
): void {
  if (caller.kind === "instance" || subject === caller.userId) return;
  const membership = findMembership(core, subject, caller.userId);
  if (
    !membership ||
    !permissionKeysOf(core, membership.role).includes(`org:sys_api_keys:${action}`)
  ) {
    // The statuses Clerk's spec documents for these endpoints: a subject one may not read is
    // not found; a change one may not make is a bad request.
    if (action === "read") throw errors.notFound("API keys");
    throw errors.paramInvalid("subject", `needs the org:sys_api_keys:${action} permission`, 400);
  }
}
