import { headers } from "next/headers";
import { serverEnv } from "@/env/server-env";
import { frontDoorRequestId } from "@/http/front-door";
import { clientAddressFrom, REQUEST_ID_HEADER } from "@/http/request-identity";

export type RequestContext = { requestId: string; clientAddress: string | null };

// The current request's id (the server's front door's, which src/proxy.ts also passes on, as it
// does without the front door) and client address, for server components, server actions and
// route handlers.
export async function requestContext(): Promise<RequestContext> {
  const h = await headers();
  return {
    requestId: frontDoorRequestId() ?? h.get(REQUEST_ID_HEADER) ?? crypto.randomUUID(),
    clientAddress: clientAddressFrom(h, serverEnv().TRUSTED_PROXY_HOPS),
  };
}
