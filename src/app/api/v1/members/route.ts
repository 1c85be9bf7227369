import { apiOperation, UNSERVED_METHODS } from "@/api/api-operation";
import { MemberListQuery, memberCursor } from "@/api/list-params";
import { memberResource } from "@/api/resources";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { parseQuery } from "@/http/request-input";
import { listMembers } from "@/members/members";

// The tenant's members as synced from Clerk. A personal workspace has no organization members,
// so its list is empty.
export const GET = apiOperation("/api/v1/members", "members:read", async ({ req, principal }) => {
  const query = parseQuery(req.nextUrl.searchParams, MemberListQuery);
  if (!query.ok) return query.problem;
  const page = await listMembers(database().db, principal.tenantId, {
    limit: query.value.limit,
    after: query.value.cursor,
  });
  return jsonResponse({
    data: page.members.map(memberResource),
    next_cursor: page.next && memberCursor(page.next),
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = UNSERVED_METHODS;
