import { clerkBackendApi } from "@/auth/clerk-backend-api";

// Sessions looked at for the user's last active organization: a new sign-in starts with none
// active (Clerk's default), so the user's earlier sessions say where they were working.
const RECENT_SESSIONS = 20;
const MEMBERSHIPS = 100;

// The slug of the organization a user signing in should land in: the last one they had active in
// any of their sessions, else their only organization, else none (they choose or create one).
export async function landingOrganizationSlug(userId: string): Promise<string | null> {
  const [memberships, sessions] = await clerkBackendApi((clerk) =>
    Promise.all([
      clerk.users.getOrganizationMembershipList({ userId, limit: MEMBERSHIPS }),
      clerk.sessions.getSessionList({ userId, limit: RECENT_SESSIONS }),
    ]),
  );
  const slugs = new Map(memberships.data.map((m) => [m.organization.id, m.organization.slug]));
  const lastActive = [...sessions.data]
    .sort((a, b) => b.lastActiveAt - a.lastActiveAt)
    .map((s) => s.lastActiveOrganizationId)
    .find((id): id is string => typeof id === "string" && slugs.has(id));
  if (lastActive) return slugs.get(lastActive) ?? null;
  return memberships.data.length === 1 ? (memberships.data[0]?.organization.slug ?? null) : null;
}
