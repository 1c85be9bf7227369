import { headers } from "next/headers";
import { serverEnv } from "@/env/server-env";
import { clientAddressFrom, REQUEST_ID_HEADER, requestIdFrom } from "@/http/request-identity";

export type RequestContext = { requestId: string; clientAddress: string | null };

// The current request's id (set by src/proxy.ts on every request it sees) and client address, for
// server components, server actions and route handlers.
export async function requestContext(): Promise<RequestContext> {
  const h = await headers();
  return {
    requestId: h.get(REQUEST_ID_HEADER) ?? requestIdFrom(h),
    clientAddress: clientAddressFrom(h, serverEnv().TRUSTED_PROXY_HOPS),
  };
}
