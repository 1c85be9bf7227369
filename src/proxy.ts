import { clerkMiddleware } from "@clerk/nextjs/server";
import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { acceptsApiKeys, routeAccess } from "@/auth/route-table";
import { serverEnv } from "@/env/server-env";
import { problem, problemResponse } from "@/http/problem";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/http/request-identity";

const API_KEY_BEARER = /^Bearer\s+ak_/i;

function clerkOptions() {
  const env = serverEnv();
  const proxyUrl = env.NEXT_PUBLIC_CLERK_PROXY_URL;
  return {
    // The app's own pages (a development instance would otherwise send people to Clerk's
    // hosted Account Portal).
    signInUrl: "/sign-in",
    signUpUrl: "/sign-up",
    // Same-origin Frontend API proxy (the emulator's wiring, or Clerk's own proxy setup).
    frontendApiProxy: proxyUrl?.startsWith("/") ? { enabled: true, path: proxyUrl } : undefined,
    jwtKey: env.CLERK_JWT_KEY,
    authorizedParties: env.CLERK_AUTHORIZED_PARTIES,
    // Opening /orgs/<slug> makes that organization the active one.
    organizationSyncOptions: { organizationPatterns: ["/orgs/:slug", "/orgs/:slug/(.*)"] },
  };
}

const clerk = clerkMiddleware(async (auth, req) => {
  const access = routeAccess(req.nextUrl.pathname);
  if (access.kind === "signed-in-page") {
    const { isAuthenticated, redirectToSignIn } = await auth();
    if (!isAuthenticated) return redirectToSignIn({ returnBackUrl: req.url });
  } else if (access.kind === "api") {
    const { isAuthenticated } = await auth({ acceptsToken: [...access.accepts] });
    if (!isAuthenticated) {
      return problemResponse(
        problem(
          "unauthenticated",
          "Send a session token or an API key as `Authorization: Bearer <token>`.",
        ),
        { "www-authenticate": "Bearer" },
      );
    }
  }
  // Handlers, pages and actions read the request id from this header (src/http/request-context.ts).
  const headers = new Headers(req.headers);
  headers.set(REQUEST_ID_HEADER, requestIdFrom(req.headers));
  return NextResponse.next({ request: { headers } });
}, clerkOptions);

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const requestId = requestIdFrom(req.headers);
  req.headers.set(REQUEST_ID_HEADER, requestId);
  const res = await answer(req, event);
  res.headers.set(REQUEST_ID_HEADER, requestId);
  return res;
}

async function answer(req: NextRequest, event: NextFetchEvent): Promise<Response> {
  // clerkMiddleware verifies every `ak_` bearer with Clerk (a billed Backend API call) before any
  // handler runs. Routes that never accept API keys refuse one here, without asking Clerk.
  const access = routeAccess(req.nextUrl.pathname);
  if (!acceptsApiKeys(access) && API_KEY_BEARER.test(req.headers.get("authorization") ?? "")) {
    return problemResponse(
      problem(
        "unauthenticated",
        "This route does not accept API keys; the API's operations under /api/v1 do.",
      ),
    );
  }
  return (await clerk(req, event)) ?? NextResponse.next();
}

export const config = {
  matcher: [
    // Everything but Next internals and static files (Clerk's recommended matcher) ...
    "/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)",
    "/(api|trpc)(.*)",
    // ... and the Frontend API proxy, whose clerk-js and @clerk/ui bundles end in .js.
    "/__clerk/(.*)",
  ],
};
