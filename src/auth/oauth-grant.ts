import { and, eq, isNull } from "drizzle-orm";
import { clerkBackendApi } from "@/auth/clerk-backend-api";
import { database } from "@/db/client";
import { organizationMemberships } from "@/db/schema";
import { serverEnv } from "@/env/server-env";
import { withDeadline } from "@/http/deadline";
import { ServiceUnavailable } from "@/http/unavailable";
import { CLERK_TIMEOUT_MS } from "./clerk-availability";

// What an OAuth access token's grant says beyond what Clerk's verification returns: the
// organization the user chose on the consent screen (Clerk's `user:org:read` scope; reported as
// `org_id` by the Frontend API's userinfo, and carried in JWT-format tokens), and the name of the
// application. Both are fixed for a token's life, so they are kept per token id and client id in
// this process (a cache, not state: any instance can ask again).

const MAX_CACHED = 10_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

// The Frontend API as the server reaches it: the emulator's origin, or the Frontend API host that
// the publishable key names.
function frontendApiUrl(): string {
  const env = serverEnv();
  if (env.CLERK_FAPI_URL) return env.CLERK_FAPI_URL.replace(/\/+$/, "");
  const encoded = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.split("_")[2] ?? "";
  return `https://${Buffer.from(encoded, "base64").toString("utf8").replace(/\$$/, "")}`;
}

const organizations = new Map<string, string | null>();

function jwtClaims(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

// The organization a verified access token acts in, or null (no `user:org:read`: the user's own
// workspace). A JWT says it in its claims (Clerk verified its signature already); an opaque token
// is asked about once, at the Frontend API's userinfo.
export async function grantOrganization(tokenId: string, token: string): Promise<string | null> {
  if (organizations.has(tokenId)) return organizations.get(tokenId) ?? null;
  if (!token.startsWith("oat_")) {
    const org = jwtClaims(token)?.org_id;
    return remember(organizations, tokenId, typeof org === "string" ? org : null);
  }
  const res = await withDeadline(
    fetch(`${frontendApiUrl()}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    }),
    CLERK_TIMEOUT_MS,
    "Clerk",
  ).catch((err: unknown) => {
    throw new ServiceUnavailable("clerk", `Clerk's userinfo did not answer: ${String(err)}`);
  });
  // Revoked between Clerk's verification and now: it acts nowhere.
  if (res.status === 401) return null;
  if (!res.ok) throw new ServiceUnavailable("clerk", `Clerk's userinfo answered ${res.status}`);
  const body = (await res.json()) as { org_id?: string | null };
  return remember(organizations, tokenId, body.org_id ?? null);
}

type Application = { id: string | null; name: string };
const applications = new Map<string, Application>();

// The OAuth application of a client id (the Backend API names applications by their own id).
async function application(clientId: string): Promise<Application> {
  const known = applications.get(clientId);
  if (known) return known;
  const { data } = await clerkBackendApi((c) =>
    c.oauthApplications.list({ nameQuery: clientId, limit: 1 }),
  );
  const app = data.find((a) => a.clientId === clientId);
  return remember(applications, clientId, { id: app?.id ?? null, name: app?.name || clientId });
}

// The OAuth application's name as people know it ("via <name>" in the activity log).
export async function applicationName(clientId: string): Promise<string> {
  return (await application(clientId)).name;
}

// Ends, at Clerk, the grant an opaque token belongs to: its access and refresh tokens. Best effort:
// the app refuses the token anyway.
export async function revokeGrant(clientId: string, token: string): Promise<void> {
  try {
    const { id } = await application(clientId);
    if (id) {
      await clerkBackendApi((c) =>
        c.oauthApplications.revokeToken({ oauthApplicationId: id, token }),
      );
    }
  } catch (err) {
    console.warn("oauth: revoking a disconnected grant failed:", (err as Error).message);
  }
}

// The user's role in the organization as synced from Clerk, or null once they left it.
export async function memberRole(userId: string, organizationId: string) {
  const [row] = await database()
    .db.select({ role: organizationMemberships.role })
    .from(organizationMemberships)
    .where(
      and(
        eq(organizationMemberships.organizationId, organizationId),
        eq(organizationMemberships.userId, userId),
        isNull(organizationMemberships.deletedAt),
      ),
    )
    .limit(1);
  return row ? { role: row.role } : null;
}
