import { and, eq, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";
import {
  organizationDomains,
  organizationMemberships,
  organizations,
  projects,
  users,
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

export async function applyChange(tx: Transaction, change: ClerkChange): Promise<void> {
  switch (change.kind) {
    case "user-upserted":
      return writeSnapshots(tx, { users: [change.user] });
    case "user-deleted":
      return tombstoneUser(tx, change.userId);
    case "organization-upserted":
      return writeSnapshots(tx, { organizations: [change.organization] });
    case "organization-deleted":
      return tombstoneOrganization(tx, change.organizationId);
    case "membership-upserted":
      return writeSnapshots(tx, {
        memberships: [{ membership: change.membership, deleted: false }],
      });
    case "membership-deleted":
      return writeSnapshots(tx, {
        memberships: [{ membership: change.membership, deleted: true }],
      });
    case "signed-in":
      // Someone impersonating the user is not the user signing in.
      if (change.impersonatorId) return;
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

// Users, organizations and memberships as their events describe them, several at a time (a batch
// of deliveries: src/webhooks/clerk-batch.ts) in one statement per table, so a burst costs what
// one event does. Every writer locks rows in one order (organizations, then users, then
// memberships; by id within each), so two batches cannot deadlock on them. Of several snapshots of
// one user or organization, the one a sequential application would leave is written: the newest
// (of two with the same millisecond, the later to arrive). Memberships must not share a pair or an
// id: the order between two of one pair matters, and a statement cannot write a row twice.
export type MembershipWrite = { membership: MembershipSnapshot; deleted: boolean };

export async function writeSnapshots(
  tx: Transaction,
  {
    users: userSnapshots = [],
    organizations: orgSnapshots = [],
    memberships = [],
  }: {
    users?: UserSnapshot[];
    organizations?: OrganizationSnapshot[];
    memberships?: MembershipWrite[];
  },
): Promise<void> {
  const ms = memberships.map((w) => w.membership);
  await writeOrganizationRows(tx, [
    ...newest(orgSnapshots).map((org) => ({ ...org, clerkUpdatedAt: org.updatedAt })),
    // A membership that arrives before its organization or user creates a placeholder row for it.
    ...ms.map((m) => ({ id: m.organizationId, ...m.organization, clerkUpdatedAt: null })),
  ]);
  await writeUserRows(tx, [
    ...newest(userSnapshots).map((user) => ({
      ...user,
      // The latest last sign-in any snapshot knows, as applying them one after another would
      // leave it (Clerk's last sign-in only moves forward).
      lastSignInAt: userSnapshots
        .filter((u) => u.id === user.id)
        .reduce<Date | null>((a, u) => latest(a, u.lastSignInAt), null),
      clerkUpdatedAt: user.updatedAt,
    })),
    ...ms.map((m) => ({ id: m.userId, ...m.user, clerkUpdatedAt: null })),
  ]);
  // Read once the rows are locked: see deletedParents.
  const gone = await deletedParents(tx, ms);
  await writeMembershipRows(tx, memberships, gone);
}

function newest<T extends { id: string; updatedAt: Date }>(snapshots: T[]): T[] {
  const kept = new Map<string, T>();
  for (const s of snapshots) {
    const k = kept.get(s.id);
    if (!k || k.updatedAt <= s.updatedAt) kept.set(s.id, s);
  }
  return [...kept.values()];
}

function latest(a: Date | null, b: Date | null): Date | null {
  return a && b ? (a > b ? a : b) : (a ?? b);
}

// One row per id, the first given (a snapshot before any placeholder), in the order of their ids.
function onePerId<T>(rows: T[], id: (row: T) => string): T[] {
  const first = new Map<string, T>();
  for (const row of rows) if (!first.has(id(row))) first.set(id(row), row);
  return [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

// When a proposed row replaces the stored one: it is a snapshot, onto a live row holding nothing
// newer. A placeholder (clerk_updated_at null) never changes a row that exists, but locks it as an
// update would, which keeps every writer's lock order the same.
function snapshotApplies(t: { deletedAt: PgColumn; clerkUpdatedAt: PgColumn }) {
  return and(
    sql`${excluded(t.clerkUpdatedAt)} is not null`,
    isNull(t.deletedAt),
    notNewerThanProposed(t.clerkUpdatedAt),
  );
}

type OrganizationRow = Pick<OrganizationSnapshot, "id" | "name" | "slug" | "imageUrl"> & {
  clerkUpdatedAt: Date | null;
};

async function writeOrganizationRows(tx: Transaction, rows: OrganizationRow[]): Promise<void> {
  if (rows.length === 0) return;
  const t = organizations;
  await tx
    .insert(t)
    .values(
      onePerId(rows, (r) => r.id).map(({ id, name, slug, imageUrl, clerkUpdatedAt }) => ({
        id,
        name,
        slug,
        imageUrl,
        clerkUpdatedAt,
      })),
    )
    .onConflictDoUpdate({
      target: t.id,
      set: {
        name: excluded(t.name),
        slug: excluded(t.slug),
        imageUrl: excluded(t.imageUrl),
        clerkUpdatedAt: excluded(t.clerkUpdatedAt),
        updatedAt: now,
      },
      setWhere: snapshotApplies(t),
    });
}

type UserRow = Pick<UserSnapshot, "id" | "firstName" | "lastName" | "imageUrl"> &
  Partial<Pick<UserSnapshot, "email" | "lastSignInAt">> & { clerkUpdatedAt: Date | null };

async function writeUserRows(tx: Transaction, rows: UserRow[]): Promise<void> {
  if (rows.length === 0) return;
  const t = users;
  await tx
    .insert(t)
    .values(
      onePerId(rows, (r) => r.id).map((u) => ({
        id: u.id,
        email: u.email ?? null,
        firstName: u.firstName,
        lastName: u.lastName,
        imageUrl: u.imageUrl,
        lastSignInAt: u.lastSignInAt ?? null,
        clerkUpdatedAt: u.clerkUpdatedAt,
      })),
    )
    .onConflictDoUpdate({
      target: t.id,
      set: {
        email: excluded(t.email),
        firstName: excluded(t.firstName),
        lastName: excluded(t.lastName),
        imageUrl: excluded(t.imageUrl),
        // session.created also moves it, and may have been delivered first.
        lastSignInAt: sql`greatest(${t.lastSignInAt}, ${excluded(t.lastSignInAt)})`,
        clerkUpdatedAt: excluded(t.clerkUpdatedAt),
        updatedAt: now,
      },
      setWhere: snapshotApplies(t),
    });
}

// Of the memberships' organizations and users, the ids of those deleted. A membership never stays
// live under a deleted parent: the rows are locked before this reads them, so a concurrent
// deletion has committed (its tombstone is read here) or waits until this transaction commits.
async function deletedParents(tx: Transaction, ms: MembershipSnapshot[]): Promise<Set<string>> {
  if (ms.length === 0) return new Set();
  const [orgs, people] = await Promise.all([
    tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(
        and(
          inArray(organizations.id, [...new Set(ms.map((m) => m.organizationId))]),
          isNotNull(organizations.deletedAt),
        ),
      ),
    tx
      .select({ id: users.id })
      .from(users)
      .where(
        and(inArray(users.id, [...new Set(ms.map((m) => m.userId))]), isNotNull(users.deletedAt)),
      ),
  ]);
  return new Set([...orgs, ...people].map((row) => row.id));
}

// A membership is stored as the one row of its (organization, user) pair. Someone who leaves and
// rejoins gets a new membership id from Clerk; the newer membership (by `updated_at`: the new one
// is created after the old one's last change) takes the row over, so the row always describes the
// pair's latest membership, and a late event of the old one changes nothing. `gone`: the deleted
// organizations and users among theirs (deletedParents), under which a membership is stored
// deleted.
async function writeMembershipRows(
  tx: Transaction,
  writes: MembershipWrite[],
  gone: Set<string>,
): Promise<void> {
  if (writes.length === 0) return;
  const t = organizationMemberships;
  const deletion = sql`${excluded(t.deletedAt)} is not null`;
  const sameMembership = sql`${t.id} = ${excluded(t.id)}`;
  const newerMembership = sql`(${t.id} <> ${excluded(t.id)} and (${t.clerkUpdatedAt} is null or ${t.clerkUpdatedAt} < ${excluded(t.clerkUpdatedAt)}))`;
  await tx
    .insert(t)
    .values(
      onePerId(writes, ({ membership: m }) => `${m.organizationId} ${m.userId}`).map(
        ({ membership: m, deleted: removed }) => {
          const deleted = removed || gone.has(m.organizationId) || gone.has(m.userId);
          return {
            id: m.id,
            organizationId: m.organizationId,
            userId: m.userId,
            role: deleted ? null : m.role,
            clerkUpdatedAt: m.updatedAt,
            deletedAt: deleted ? now : null,
          };
        },
      ),
    )
    .onConflictDoUpdate({
      target: [t.organizationId, t.userId],
      set: {
        id: excluded(t.id),
        role: excluded(t.role),
        clerkUpdatedAt: sql`case when ${deletion} then greatest(${t.clerkUpdatedAt}, ${excluded(t.clerkUpdatedAt)}) else ${excluded(t.clerkUpdatedAt)} end`,
        deletedAt: sql`case when ${deletion} then coalesce(${t.deletedAt}, now()) end`,
        updatedAt: now,
      },
      // A deletion always applies to its own membership; an upsert only to a live row it is not
      // older than.
      setWhere: sql`case when ${deletion} then ${or(sameMembership, newerMembership)} else ${or(
        and(sameMembership, isNull(t.deletedAt), notNewerThanProposed(t.clerkUpdatedAt)),
        newerMembership,
      )} end`,
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
