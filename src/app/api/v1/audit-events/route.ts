import type { NextRequest } from "next/server";
import { AuditEventListQuery, auditEventCursor } from "@/api/list-params";
import { auditEventResource } from "@/api/resources";
import { listAuditEvents } from "@/audit/audit-log";
import { authorizeApi } from "@/auth/authorize";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problemResponse } from "@/http/problem";
import { parseQuery } from "@/http/request-input";

// The tenant's audit log, newest first.
export async function GET(req: NextRequest) {
  const access = await authorizeApi("audit:read");
  if (!access.ok) return problemResponse(access.problem);
  const query = parseQuery(req.nextUrl.searchParams, AuditEventListQuery);
  if (!query.ok) return problemResponse(query.problem);
  const page = await listAuditEvents(database().db, access.principal.tenantId, {
    limit: query.value.limit,
    after: query.value.cursor,
    kind: query.value.kind,
  });
  return jsonResponse({
    data: page.events.map(auditEventResource),
    next_cursor: page.next && auditEventCursor(page.next),
  });
}
