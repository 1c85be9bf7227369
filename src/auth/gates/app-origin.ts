import { NextRequest } from "next/server";
import { serverEnv } from "@/env/server-env";

// Clerk builds the URLs it sends browsers to (sign-in with its way back, the handshake's return,
// its Frontend API proxy's public address) from the request's Host and X-Forwarded-Host/-Proto:
// whatever the client chose to send. Before Clerk sees a request, they name the app's configured
// public origin (APP_URL) instead; so does every redirect the gates build themselves.

export function appOrigin(): URL {
  return new URL(serverEnv().APP_URL);
}

// `path` (with its query) on the app's own origin.
export function onAppOrigin(url: URL): URL {
  return new URL(`${url.pathname}${url.search}`, appOrigin());
}

export function asAppRequest(req: NextRequest): NextRequest {
  const origin = appOrigin();
  const headers = new Headers(req.headers);
  headers.set("host", origin.host);
  headers.set("x-forwarded-host", origin.host);
  headers.set("x-forwarded-proto", origin.protocol.replace(":", ""));
  headers.delete("x-forwarded-port");
  headers.delete("forwarded");
  // A body a gate has read already (a server action's, checked) is not Clerk's to read.
  const hasBody = !["GET", "HEAD"].includes(req.method) && !req.bodyUsed;
  return new NextRequest(onAppOrigin(req.nextUrl), {
    method: req.method,
    headers,
    body: hasBody ? req.body : null,
    ...(hasBody && { duplex: "half" }),
  } as ConstructorParameters<typeof NextRequest>[1]);
}
