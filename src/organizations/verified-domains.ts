import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { organizationDomains } from "@/db/schema";

// An organization's verified email domains as the webhook sync last wrote them, and how people
// with an address there join (the domain's enrollment mode).
export type VerifiedDomain = { name: string; enrollmentMode: string | null };

export async function verifiedDomainsOf(
  db: Database,
  organizationId: string,
): Promise<VerifiedDomain[]> {
  const rows = await db
    .select({ name: organizationDomains.name, enrollmentMode: organizationDomains.enrollmentMode })
    .from(organizationDomains)
    .where(
      and(
        eq(organizationDomains.organizationId, organizationId),
        eq(organizationDomains.verified, true),
        isNull(organizationDomains.deletedAt),
      ),
    )
    .orderBy(asc(organizationDomains.name));
  return rows.flatMap((r) => (r.name ? [{ name: r.name, enrollmentMode: r.enrollmentMode }] : []));
}

// What someone with an address at the domain gets, in a few words.
export function howPeopleJoin(domain: VerifiedDomain): string {
  switch (domain.enrollmentMode) {
    case "automatic_invitation":
      return "are invited automatically and join with one click";
    case "automatic_suggestion":
      return "can ask to join; an admin approves under Manage → Members → Requests";
    default:
      return "join when an admin invites them";
  }
}
