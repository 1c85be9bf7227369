import { and, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { recordClerkEvent } from "@/audit/clerk-audit";
import type { Database } from "@/db/client";
import {
  organizationDomains,
  organizationMemberships,
  organizations,
  projects,
  users,
  webhookEvents,
} from "@/db/schema";
import { deleteSubscriptionItems, writeSubscriptionItems } from "./billing-sync";
import type {
  ClerkChange,
  DomainSnapshot,
  MembershipSnapshot,
  OrganizationSnapshot,
  UserSnapshot,
} from "./clerk-events";

// Writes Clerk's users, organizations and memberships into the database so that any order of
// delivery, any number of redeliveries and any interleaving of concurrent deliveries ends in the
// same rows:
// - A row remembers the `updated_at` of the Clerk object it was written from (`clerk_updated_at`);
//   an upsert changes it only with data at least as new (of two with the same millisecond, the
//   later to arrive wins).
// - Deletes leave tombstones (`deleted_at`), which are final: Clerk never reuses an id, so no later
//   event for that id changes the row again. A tombstone keeps the id and its links only; the
//   rest is cleared (a deleted user's personal data goes with them).
// - A membership that arrives before its organization or user creates placeholder rows (id and
//   what the membership event tells about them, `clerk_updated_at` null) that the first event of
//   their own fills in.
// - Domains follow the same rules as the rest; a deletion seen first leaves a tombstone.
// - Deleting an organization tombstones its memberships and domains and deletes its projects; deleting a user
//   tombstones their memberships and deletes their personal projects. A tenant that no longer
//   exists in Clerk can never be signed into again, so its data would only linger; Clerk may or may
//   not also send one `organizationMembership.deleted` per membership, and either way this ends in
//   the same state.

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export type EventOutcome = "processed" | "duplicate";

// The value an INSERT proposed, inside its ON CONFLICT DO UPDATE.
function excluded(column: PgColumn): SQL {
  return sql.raw(`excluded."${column.name}"`);
}

const now = sql`now()`;

// The row holds nothing newer than the proposed one (or is a placeholder).
function notNewerThanProposed(column: PgColumn): SQL {
  return sql`(${column} is null or ${column} <= ${excluded(column)})`;
}

// One transaction per Svix message: recording its svix-id, its audit record and the writes commit
// together, so a redelivery, even one racing the first delivery, finds the id and changes nothing.
// `requestId` is the delivery's request id, kept in the audit record.
export async function applyClerkEvent(
  db: Database,
  svixId: string,
  eventType: string,
  change: ClerkChange,
  requestId: string | null,
): Promise<EventOutcome> {
  return db.transaction(async (tx) => {
    const recorded = await tx
      .insert(webhookEvents)
      .values({ svixId, eventType })
      .onConflictDoNothing()
      .returning({ svixId: webhookEvents.svixId });
    if (recorded.length === 0) return "duplicate";
    await recordClerkEvent(tx, { eventType, requestId }, change);
    await applyChange(tx, change);
    return "processed";
  });
}

export async function applyChange(tx: Transaction, change: ClerkChange): Promise<void> {
  switch (change.kind) {
    case "user-upserted":
      return upsertUser(tx, change.user);
    case "user-deleted":
      return tombstoneUser(tx, change.userId);
    case "organization-upserted":
      return upsertOrganization(tx, change.organization);
    case "organization-deleted":
      return tombstoneOrganization(tx, change.organizationId);
    case "membership-upserted":
      return writeMembership(tx, change.membership, { deleted: false });
    case "membership-deleted":
      return writeMembership(tx, change.membership, { deleted: true });
    case "signed-in":
      return recordSignIn(tx, change.userId, change.at);
    case "invitation-changed":
      // Nothing to store but its audit record: the membership an acceptance creates has its own
      // event.
      return;
    case "domain-upserted":
      return upsertDomain(tx, change.domain);
    case "domain-deleted":
      return tombstoneDomain(tx, change.domainId);
    case "subscription-changed":
      return writeSubscriptionItems(tx, change.items);
    case "subscription-item-changed":
      return writeSubscriptionItems(tx, change.item ? [change.item] : []);
    case "payment-attempted":
      // Only its audit record: what a payment changes arrives as subscription events.
      return;
  }
}

async function upsertUser(tx: Transaction, user: UserSnapshot): Promise<void> {
  await tx
    .insert(users)
    .values({
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      imageUrl: user.imageUrl,
      lastSignInAt: user.lastSignInAt,
      clerkUpdatedAt: user.updatedAt,
    })
    .onConflictDoUpdate({
      target: users.id,
      set: {
        email: excluded(users.email),
        firstName: excluded(users.firstName),
        lastName: excluded(users.lastName),
        imageUrl: excluded(users.imageUrl),
        // session.created also moves it, and may have been delivered first.
        lastSignInAt: sql`greatest(${users.lastSignInAt}, ${excluded(users.lastSignInAt)})`,
        clerkUpdatedAt: excluded(users.clerkUpdatedAt),
        updatedAt: now,
      },
      setWhere: and(isNull(users.deletedAt), notNewerThanProposed(users.clerkUpdatedAt)),
    });
}

async function tombstoneUser(tx: Transaction, userId: string): Promise<void> {
  await tx
    .insert(users)
    .values({ id: userId, deletedAt: now })
    .onConflictDoUpdate({
      target: users.id,
      set: {
        email: null,
        firstName: null,
        lastName: null,
        imageUrl: null,
        lastSignInAt: null,
        deletedAt: now,
        updatedAt: now,
      },
      setWhere: isNull(users.deletedAt),
    });
  await tx
    .update(organizationMemberships)
    .set({ role: null, deletedAt: now, updatedAt: now })
    .where(
      and(eq(organizationMemberships.userId, userId), isNull(organizationMemberships.deletedAt)),
    );
  await tx.delete(projects).where(eq(projects.tenantId, userId));
}

async function upsertOrganization(tx: Transaction, org: OrganizationSnapshot): Promise<void> {
  await tx
    .insert(organizations)
    .values({
      id: org.id,
      name: org.name,
      slug: org.slug,
      imageUrl: org.imageUrl,
      clerkUpdatedAt: org.updatedAt,
    })
    .onConflictDoUpdate({
      target: organizations.id,
      set: {
        name: excluded(organizations.name),
        slug: excluded(organizations.slug),
        imageUrl: excluded(organizations.imageUrl),
        clerkUpdatedAt: excluded(organizations.clerkUpdatedAt),
        updatedAt: now,
      },
      setWhere: and(
        isNull(organizations.deletedAt),
        notNewerThanProposed(organizations.clerkUpdatedAt),
      ),
    });
}

async function tombstoneOrganization(tx: Transaction, organizationId: string): Promise<void> {
  // The organization row first: its lock makes a concurrent membership write for this
  // organization wait, then see the tombstone (see writeMembership).
  await tx
    .insert(organizations)
    .values({ id: organizationId, deletedAt: now })
    .onConflictDoUpdate({
      target: organizations.id,
      set: { name: null, slug: null, imageUrl: null, deletedAt: now, updatedAt: now },
      setWhere: isNull(organizations.deletedAt),
    });
  await tx
    .update(organizationMemberships)
    .set({ role: null, deletedAt: now, updatedAt: now })
    .where(
      and(
        eq(organizationMemberships.organizationId, organizationId),
        isNull(organizationMemberships.deletedAt),
      ),
    );
  await tx.delete(projects).where(eq(projects.tenantId, organizationId));
  await tx
    .update(organizationDomains)
    .set({ deletedAt: now, updatedAt: now })
    .where(
      and(
        eq(organizationDomains.organizationId, organizationId),
        isNull(organizationDomains.deletedAt),
      ),
    );
  await deleteSubscriptionItems(tx, organizationId);
}

// A domain of an organization that no webhook has described yet gets a placeholder row for it, as
// a membership's does; one of a deleted organization is stored deleted.
async function upsertDomain(tx: Transaction, d: DomainSnapshot): Promise<void> {
  await tx.insert(organizations).values({ id: d.organizationId }).onConflictDoNothing();
  const [org] = await tx
    .select({ deletedAt: organizations.deletedAt })
    .from(organizations)
    .where(eq(organizations.id, d.organizationId))
    .for("share");
  const t = organizationDomains;
  await tx
    .insert(t)
    .values({
      id: d.id,
      organizationId: d.organizationId,
      name: d.name,
      enrollmentMode: d.enrollmentMode,
      verified: d.verified,
      clerkUpdatedAt: d.updatedAt,
      deletedAt: org?.deletedAt ? now : null,
    })
    .onConflictDoUpdate({
      target: t.id,
      set: {
        organizationId: excluded(t.organizationId),
        name: excluded(t.name),
        enrollmentMode: excluded(t.enrollmentMode),
        verified: excluded(t.verified),
        clerkUpdatedAt: excluded(t.clerkUpdatedAt),
        updatedAt: now,
      },
      setWhere: and(isNull(t.deletedAt), notNewerThanProposed(t.clerkUpdatedAt)),
    });
}

// The deletion carries the id only: a domain not seen before is remembered as deleted, so its
// late created/updated events change nothing.
async function tombstoneDomain(tx: Transaction, domainId: string): Promise<void> {
  await tx
    .insert(organizationDomains)
    .values({ id: domainId, deletedAt: now })
    .onConflictDoUpdate({
      target: organizationDomains.id,
      set: { deletedAt: now, updatedAt: now },
      setWhere: isNull(organizationDomains.deletedAt),
    });
}

// A membership is stored as the one row of its (organization, user) pair. Someone who leaves and
// rejoins gets a new membership id from Clerk; the newer membership (by `updated_at`: the new one
// is created after the old one's last change) takes the row over, so the row always describes the
// pair's latest membership, and a late event of the old one changes nothing.
async function writeMembership(
  tx: Transaction,
  m: MembershipSnapshot,
  options: { deleted: boolean },
): Promise<void> {
  await tx
    .insert(organizations)
    .values({
      id: m.organizationId,
      name: m.organization.name,
      slug: m.organization.slug,
      imageUrl: m.organization.imageUrl,
    })
    .onConflictDoNothing();
  await tx
    .insert(users)
    .values({
      id: m.userId,
      firstName: m.user.firstName,
      lastName: m.user.lastName,
      imageUrl: m.user.imageUrl,
    })
    .onConflictDoNothing();
  // FOR SHARE waits for a concurrent deletion of the organization or user to commit and then reads
  // its tombstone, so a membership never stays live under a deleted parent.
  const [org] = await tx
    .select({ deletedAt: organizations.deletedAt })
    .from(organizations)
    .where(eq(organizations.id, m.organizationId))
    .for("share");
  const [user] = await tx
    .select({ deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.id, m.userId))
    .for("share");
  const deleted = options.deleted || Boolean(org?.deletedAt) || Boolean(user?.deletedAt);

  const t = organizationMemberships;
  const sameMembership = sql`${t.id} = ${excluded(t.id)}`;
  const newerMembership = sql`(${t.id} <> ${excluded(t.id)} and (${t.clerkUpdatedAt} is null or ${t.clerkUpdatedAt} < ${excluded(t.clerkUpdatedAt)}))`;
  await tx
    .insert(t)
    .values({
      id: m.id,
      organizationId: m.organizationId,
      userId: m.userId,
      role: deleted ? null : m.role,
      clerkUpdatedAt: m.updatedAt,
      deletedAt: deleted ? now : null,
    })
    .onConflictDoUpdate({
      target: [t.organizationId, t.userId],
      set: deleted
        ? {
            id: excluded(t.id),
            role: null,
            clerkUpdatedAt: sql`greatest(${t.clerkUpdatedAt}, ${excluded(t.clerkUpdatedAt)})`,
            deletedAt: sql`coalesce(${t.deletedAt}, now())`,
            updatedAt: now,
          }
        : {
            id: excluded(t.id),
            role: excluded(t.role),
            clerkUpdatedAt: excluded(t.clerkUpdatedAt),
            deletedAt: null,
            updatedAt: now,
          },
      // A deletion always applies to its own membership; an upsert only to a live row it is not
      // older than.
      setWhere: deleted
        ? or(sameMembership, newerMembership)
        : or(
            and(sameMembership, isNull(t.deletedAt), notNewerThanProposed(t.clerkUpdatedAt)),
            newerMembership,
          ),
    });
}

// For reconciliation, which finds a membership gone from Clerk without an event to describe it:
// tombstones that membership only, not a newer one of the same pair that has taken the row over.
// Whether it tombstoned a live row (false: already tombstoned, by a webhook meanwhile say).
export async function tombstoneMembershipRow(
  tx: Transaction,
  membershipId: string,
): Promise<boolean> {
  const changed = await tx
    .update(organizationMemberships)
    .set({ role: null, deletedAt: now, updatedAt: now })
    .where(
      and(eq(organizationMemberships.id, membershipId), isNull(organizationMemberships.deletedAt)),
    )
    .returning({ id: organizationMemberships.id });
  return changed.length > 0;
}

async function recordSignIn(tx: Transaction, userId: string, at: Date): Promise<void> {
  await tx
    .insert(users)
    .values({ id: userId, lastSignInAt: at })
    .onConflictDoUpdate({
      target: users.id,
      set: {
        lastSignInAt: sql`greatest(${users.lastSignInAt}, ${excluded(users.lastSignInAt)})`,
        updatedAt: now,
      },
      setWhere: isNull(users.deletedAt),
    });
}
