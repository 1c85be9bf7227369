import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationMemberships, users } from "@/db/schema";

export type OrganizationMember = {
  userId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  role: string | null;
};

// The organization's current members as the webhook sync stored them (tombstones left out). A
// member whose user.created has not arrived yet shows with what the membership event told.
export async function listOrganizationMembers(
  db: Database,
  organizationId: string,
  limit = 100,
): Promise<OrganizationMember[]> {
  return db
    .select({
      userId: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      imageUrl: users.imageUrl,
      role: organizationMemberships.role,
    })
    .from(organizationMemberships)
    .innerJoin(users, eq(users.id, organizationMemberships.userId))
    .where(
      and(
        eq(organizationMemberships.organizationId, organizationId),
        isNull(organizationMemberships.deletedAt),
        isNull(users.deletedAt),
      ),
    )
    .orderBy(asc(users.firstName), asc(users.lastName), asc(users.email), asc(users.id))
    .limit(limit);
}

export function memberDisplayName(m: OrganizationMember): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.email || m.userId;
}

// "org:admin" -> "admin"; custom roles keep their key.
export function roleLabel(role: string | null): string {
  return role?.replace(/^org:/, "") ?? "";
}
