import { clerkMiddleware } from "@clerk/nextjs/server";
import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { acceptsApiKeys, routeAccess } from "@/auth/route-table";
import { serverEnv } from "@/env/server-env";
import { problem, problemResponse } from "@/http/problem";

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
  return NextResponse.next();
}, clerkOptions);

export default function proxy(req: NextRequest, event: NextFetchEvent) {
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
  return clerk(req, event);
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
