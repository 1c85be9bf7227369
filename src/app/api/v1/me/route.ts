import { meResource } from "@/api/resources";
import { authorizeApi } from "@/auth/authorize";
import { jsonResponse } from "@/http/json-response";
import { problemResponse } from "@/http/problem";

// Who is calling: the credential's type, user, organization and what it may do. Any valid
// credential may ask, a key without scopes included, so a script can check what it holds.
export async function GET() {
  const access = await authorizeApi(null);
  if (!access.ok) return problemResponse(access.problem);
  return jsonResponse(meResource(access.principal));
}
