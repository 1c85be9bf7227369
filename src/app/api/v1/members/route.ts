import type { NextRequest } from "next/server";
import { MemberListQuery, memberCursor } from "@/api/list-params";
import { memberResource } from "@/api/resources";
import { authorizeApi } from "@/auth/authorize";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problemResponse } from "@/http/problem";
import { parseQuery } from "@/http/request-input";
import { listMembers } from "@/members/members";

// The tenant's members as synced from Clerk. A personal workspace has no organization members,
// so its list is empty.
export async function GET(req: NextRequest) {
  const access = await authorizeApi("members:read");
  if (!access.ok) return problemResponse(access.problem);
  const query = parseQuery(req.nextUrl.searchParams, MemberListQuery);
  if (!query.ok) return problemResponse(query.problem);
  const page = await listMembers(database().db, access.principal.tenantId, {
    limit: query.value.limit,
    after: query.value.cursor,
  });
  return jsonResponse({
    data: page.members.map(memberResource),
    next_cursor: page.next && memberCursor(page.next),
  });
}
