import { apiOperation, UNSERVED_METHODS } from "@/api/api-operation";
import { AuditEventListQuery, auditEventCursor } from "@/api/list-params";
import { auditEventResource } from "@/api/resources";
import { listAuditEvents } from "@/audit/audit-log";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { parseQuery } from "@/http/request-input";

// The tenant's audit log, newest first.
export const GET = apiOperation(
  "/api/v1/audit-events",
  "audit:read",
  async ({ req, principal }) => {
    const query = parseQuery(req.nextUrl.searchParams, AuditEventListQuery);
    if (!query.ok) return query.problem;
    const page = await listAuditEvents(database().db, principal.tenantId, {
      limit: query.value.limit,
      after: query.value.cursor,
      kind: query.value.kind,
    });
    return jsonResponse({
      data: page.events.map(auditEventResource),
      next_cursor: page.next && auditEventCursor(page.next),
    });
  },
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = UNSERVED_METHODS;
