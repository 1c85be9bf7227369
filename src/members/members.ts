import { and, asc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationMemberships, organizations, users } from "@/db/schema";

// An organization's members as the webhook sync last wrote them. Tombstoned memberships and
// deleted users are left out; a user row the sync has not filled in yet gives null profile fields.
export type Member = {
  id: string;
  userId: string;
  role: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
};

// Pages follow membership ids: Clerk ids are unique and never change, which is all a stable
// order needs.
export type MemberPage = { members: Member[]; next: string | null };

export async function listMembers(
  db: Database,
  organizationId: string,
  { limit = 50, after }: { limit?: number; after?: string | undefined } = {},
): Promise<MemberPage> {
  const rows = await db
    .select({
      id: organizationMemberships.id,
      userId: organizationMemberships.userId,
      role: organizationMemberships.role,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      imageUrl: users.imageUrl,
    })
    .from(organizationMemberships)
    .innerJoin(users, eq(users.id, organizationMemberships.userId))
    .where(
      and(
        eq(organizationMemberships.organizationId, organizationId),
        isNull(organizationMemberships.deletedAt),
        isNull(users.deletedAt),
        after === undefined ? undefined : gt(organizationMemberships.id, after),
      ),
    )
    .orderBy(asc(organizationMemberships.id))
    .limit(limit + 1);
  const members = rows.slice(0, limit);
  return {
    members,
    next: rows.length > limit ? (members.at(-1)?.id ?? null) : null,
  };
}

type Named = Pick<Member, "userId" | "firstName" | "lastName" | "email">;

export function memberDisplayName(m: Named): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.email || m.userId;
}

// Display names of users as synced, by id; an id the database does not know (or a deleted user,
// whose name is cleared) shows as the id itself.
export async function userDisplayNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const rows =
    unique.length === 0
      ? []
      : await db
          .select({
            userId: users.id,
            firstName: users.firstName,
            lastName: users.lastName,
            email: users.email,
          })
          .from(users)
          .where(inArray(users.id, unique));
  const names = new Map(unique.map((id) => [id, id]));
  for (const row of rows) names.set(row.userId, memberDisplayName(row));
  return names;
}

// "org:admin" -> "admin"; custom roles keep their key.
export function roleLabel(role: string | null): string {
  return role?.replace(/^org:/, "") ?? "";
}

// Whether the user holds a live membership of the organization with this slug, as synced.
export async function isMemberOfSlug(db: Database, userId: string, slug: string) {
  const [row] = await db
    .select({ id: organizationMemberships.id })
    .from(organizationMemberships)
    .innerJoin(organizations, eq(organizations.id, organizationMemberships.organizationId))
    .where(
      and(
        eq(organizations.slug, slug),
        eq(organizationMemberships.userId, userId),
        isNull(organizationMemberships.deletedAt),
        isNull(organizations.deletedAt),
      ),
    )
    .limit(1);
  return row !== undefined;
}
