import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationMemberships, projects, users } from "@/db/schema";

// A fingerprint of what an organization's pages show from the database (its memberships and their
// members' profiles as the webhooks sync them, its projects): it changes when any of them is
// added, changed or removed, whoever made the change (Clerk's components, the API, another tab, a
// member adding their name).
export async function organizationVersion(db: Database, organizationId: string): Promise<string> {
  const [members] = await db
    .select({
      n: sql<number>`count(*)::int`,
      last: sql<string>`max(greatest(${organizationMemberships.updatedAt}, ${users.updatedAt}))::text`,
    })
    .from(organizationMemberships)
    .leftJoin(users, eq(users.id, organizationMemberships.userId))
    .where(eq(organizationMemberships.organizationId, organizationId));
  const [owned] = await db
    .select({ n: sql<number>`count(*)::int`, last: sql<string>`max(${projects.updatedAt})::text` })
    .from(projects)
    .where(eq(projects.tenantId, organizationId));
  return `${members?.n}/${members?.last}/${owned?.n}/${owned?.last}`;
}
