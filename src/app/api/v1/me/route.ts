import { apiOperation, UNSERVED_METHODS } from "@/api/api-operation";
import { meResource } from "@/api/resources";
import { jsonResponse } from "@/http/json-response";

// Who is calling: the credential's type, user, organization and what it may do. Any valid
// credential may ask, a key without scopes included, so a script can check what it holds.
export const GET = apiOperation("/api/v1/me", null, async ({ principal }) =>
  jsonResponse(meResource(principal)),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = UNSERVED_METHODS;
