import { type ClerkMiddlewareAuth, clerkMiddleware } from "@clerk/nextjs/server";
import type { NextFetchEvent, NextRequest } from "next/server";
import { CLERK_TIMEOUT_MS, clerkUnavailable } from "@/auth/clerk-availability";
import { serverEnv } from "@/env/server-env";
import { DeadlineExceeded, withDeadline } from "@/http/deadline";
import { asAppRequest } from "./app-origin";
import { forward, type RequestState, unavailable } from "./request-state";

// Clerk's middleware, run by the gates once they have decided that Clerk must be asked: under a
// time bound, with the signing key the gate found, and then the gate's own decision on what
// Clerk said (`then`).

export type AfterClerk = (
  auth: ClerkMiddlewareAuth,
  req: NextRequest,
  state: RequestState,
) => Promise<Response>;

type Pending = { state: RequestState; then: AfterClerk };

const pending = new WeakMap<Request, Pending>();

// Where browsers reach Clerk's Frontend API, for the pages' CSP: null when it is proxied through
// this origin (the emulator's wiring, or Clerk's own proxy setup): 'self'.
type Origin = `https://${string}.${string}` | null;
let origin: Origin | undefined;

export function frontendApiOrigin(): Origin {
  origin ??= (() => {
    const env = serverEnv();
    if (env.NEXT_PUBLIC_CLERK_PROXY_URL) return null;
    const encoded = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.split("_")[2] ?? "";
    const host = Buffer.from(encoded, "base64").toString("utf8").replace(/\$$/, "");
    return /^[a-z0-9.-]+\.[a-z]+$/i.test(host) ? (`https://${host}` as Origin) : null;
  })();
  return origin;
}

// Opening /orgs/<slug> makes that organization the active one.
const ORGANIZATION_SYNC = { organizationPatterns: ["/orgs/:slug", "/orgs/:slug/(.*)"] };

function clerkOptions(req: Request) {
  const env = serverEnv();
  const proxyUrl = env.NEXT_PUBLIC_CLERK_PROXY_URL;
  return {
    // The app's own pages (a development instance would otherwise send people to Clerk's
    // hosted Account Portal).
    signInUrl: "/sign-in",
    signUpUrl: "/sign-up",
    // Same-origin Frontend API proxy (the emulator's wiring, or Clerk's own proxy setup).
    frontendApiProxy: proxyUrl?.startsWith("/") ? { enabled: true, path: proxyUrl } : undefined,
    jwtKey: env.CLERK_JWT_KEY ?? pending.get(req)?.state.jwtKey,
    // Opaque M2M tokens are verified with the app's own machine secret key: Clerk then refuses a
    // token that names no scope to this app's machine (src/auth/app-machine.ts).
    machineSecretKey: env.CLERK_MACHINE_SECRET_KEY,
    authorizedParties: env.CLERK_AUTHORIZED_PARTIES,
    organizationSyncOptions: ORGANIZATION_SYNC,
  };
}

const clerk = clerkMiddleware(async (auth, req) => {
  const asked = pending.get(req);
  if (!asked) throw new Error("proxy: a request reached Clerk without its gate");
  return asked.then(auth, req, asked.state);
}, clerkOptions);

// `marksOutage`: whether Clerk not answering in time means its Backend API is down (what
// clerk-availability.ts tracks), as it does when Clerk verifies a credential.
export async function askClerk(
  req: NextRequest,
  event: NextFetchEvent,
  state: RequestState,
  then: AfterClerk,
  { marksOutage = true }: { marksOutage?: boolean } = {},
): Promise<Response> {
  const asked = asAppRequest(req);
  pending.set(asked, { state, then });
  try {
    const work = (async () => clerk(asked, event))();
    return (await withDeadline(work, CLERK_TIMEOUT_MS, "Clerk")) ?? forward(asked, state);
  } catch (err) {
    if (!(err instanceof DeadlineExceeded)) throw err;
    if (marksOutage) clerkUnavailable(err.message);
    return unavailable(state);
  }
}
