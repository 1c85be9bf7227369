import type { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { and, asc, gt, isNull } from "drizzle-orm";
import { type AuditSource, recordAuditEvent } from "@/audit/audit-log";
import type { Database } from "@/db/client";
import { organizationMemberships, organizations, users } from "@/db/schema";
import { snapshotsOfBackendSubscription } from "./billing-events";
import { replaceSubscriptionItems } from "./billing-sync";
import {
  type ClerkChange,
  ClerkMembershipJson,
  ClerkOrganizationJson,
  ClerkUserJson,
} from "./clerk-events";
import { applyChange, tombstoneMembershipRow } from "./clerk-sync";

// Converges the database with Clerk's Backend API, for what webhooks cannot repair on their own:
// deliveries that failed for good (Svix gives up after about a day and a half), an endpoint
// added after the data existed, a restored backup. It writes through the same guarded upserts and
// tombstones as the webhook route, so running it while webhooks arrive is safe, and so is running
// it twice. Organizations' Clerk Billing subscriptions come last, one organization at a time. A
// run can be stopped between steps (`signal`): what it wrote so far stays, and the next run
// converges the rest.

type ClerkClient = ReturnType<typeof createClerkClient>;

const PAGE_SIZE = 100;

export type ReconcileOptions = {
  progress?: (line: string) => void;
  // Stops the run at its next step (a page, a lookup).
  signal?: AbortSignal;
  // Who runs it, for the audit log: a member removed because Clerk no longer has the membership
  // is recorded (membership.deleted) in its organization's log with this source.
  source?: AuditSource;
};

// The source of a run no request made (`npm run clerk:sync`, the dev launcher): like a webhook
// that does not say who acted, the change is Clerk's.
export const RECONCILED_BY_CLERK: AuditSource = {
  actor: { type: "clerk" },
  requestId: null,
  clientAddress: null,
};

export type ReconcileCounts = { listed: number; tombstoned: number };
// listed: organizations whose subscription Clerk has; ended: items the database held as not ended
// that their subscription no longer lists.
export type SubscriptionCounts = { listed: number; ended: number };
export type ReconcileReport = {
  users: ReconcileCounts;
  organizations: ReconcileCounts;
  memberships: ReconcileCounts;
  subscriptions: SubscriptionCounts;
};

// Clerk's resources keep the JSON they were built from; it has the webhook payloads' shapes.
function rawOf(resource: { raw: unknown }): unknown {
  if (!resource.raw) throw new Error("@clerk/backend returned a resource without its JSON");
  return resource.raw;
}

function isNotFound(err: unknown): boolean {
  return isClerkAPIResponseError(err) && err.status === 404;
}

// Reads every page of a Backend API list (oldest first, so that objects created meanwhile land
// on later pages) and hands each page's changes to one transaction.
async function syncPages<T extends { id: string; raw: unknown }>(
  db: Database,
  label: string,
  fetchPage: (offset: number) => Promise<{ data: T[]; totalCount: number }>,
  changeOf: (raw: unknown) => ClerkChange,
  { progress, signal }: ReconcileOptions,
): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let offset = 0; ; ) {
    signal?.throwIfAborted();
    const page = await fetchPage(offset);
    const changes = page.data.map((item) => changeOf(rawOf(item)));
    await db.transaction(async (tx) => {
      for (const change of changes) await applyChange(tx, change);
    });
    for (const item of page.data) seen.add(item.id);
    offset += page.data.length;
    progress?.(`${label}: ${offset} of ${page.totalCount} synced`);
    if (page.data.length < PAGE_SIZE) return seen;
  }
}

const userChange = (raw: unknown): ClerkChange => ({
  kind: "user-upserted",
  user: ClerkUserJson.parse(raw),
});
const organizationChange = (raw: unknown): ClerkChange => ({
  kind: "organization-upserted",
  organization: ClerkOrganizationJson.parse(raw),
});
const membershipChange = (raw: unknown): ClerkChange => ({
  kind: "membership-upserted",
  membership: ClerkMembershipJson.parse(raw),
});

// @clerk/backend reads subscriptions one organization at a time, so this step costs a call per
// organization: a few at once (one at a time it would be the longest step by far, about 2.5 times
// slower measured with 50 ms of latency), far below Clerk's rate limit and the database pool.
const SUBSCRIPTION_LOOKUPS_AT_ONCE = 4;

// Runs `work` on every item, at most `limit` at a time; after a failure, starts no more.
async function forEachAtMost<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// Each live organization's subscription (organizations read from the database a page at a time),
// written through the billing webhooks' guarded write: a missed `subscription.*` event would
// otherwise leave an organization on its old plan for good. An organization Clerk has no
// subscription for (404: billed nothing, or deleted meanwhile) keeps what it has.
async function syncSubscriptions(
  clerk: ClerkClient,
  db: Database,
  { progress, signal }: ReconcileOptions,
): Promise<SubscriptionCounts> {
  const counts: SubscriptionCounts = { listed: 0, ended: 0 };
  let organizationsRead = 0;
  let items = 0;
  for (let after = ""; ; ) {
    signal?.throwIfAborted();
    const page = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(isNull(organizations.deletedAt), gt(organizations.id, after)))
      .orderBy(asc(organizations.id))
      .limit(PAGE_SIZE);
    // The page after a full last one is empty: nothing new to say.
    if (page.length === 0 && after !== "") return counts;
    await forEachAtMost(page, SUBSCRIPTION_LOOKUPS_AT_ONCE, async ({ id }) => {
      signal?.throwIfAborted();
      const subscription = await clerk.billing
        .getOrganizationBillingSubscription(id)
        .catch((err: unknown) => {
          if (isNotFound(err)) return null;
          throw err;
        });
      organizationsRead += 1;
      if (!subscription) return;
      const snapshots = snapshotsOfBackendSubscription(id, subscription);
      const ended = await db.transaction((tx) =>
        replaceSubscriptionItems(tx, id, new Date(subscription.updatedAt), snapshots),
      );
      // Added after the await: `counts.ended += await …` would add to a value read before it,
      // losing what the other lookups added meanwhile.
      counts.ended += ended;
      counts.listed += 1;
      items += snapshots.length;
    });
    progress?.(
      `subscriptions: ${counts.listed} of ${organizationsRead} organization(s) synced, ${items} item(s)`,
    );
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) return counts;
    after = last.id;
  }
}

export async function reconcileWithClerk(
  clerk: ClerkClient,
  db: Database,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const { signal, source } = options;
  const apply = (change: ClerkChange) => db.transaction((tx) => applyChange(tx, change));

  const seenUsers = await syncPages(
    db,
    "users",
    (offset) => clerk.users.getUserList({ limit: PAGE_SIZE, offset, orderBy: "+created_at" }),
    userChange,
    options,
  );
  const seenOrganizations = await syncPages(
    db,
    "organizations",
    (offset) =>
      clerk.organizations.getOrganizationList({
        limit: PAGE_SIZE,
        offset,
        orderBy: "+created_at",
      }),
    organizationChange,
    options,
  );
  const seenMemberships = await syncPages(
    db,
    "memberships",
    (offset) =>
      clerk.organizations.getInstanceOrganizationMembershipList({
        limit: PAGE_SIZE,
        offset,
        orderBy: "+created_at",
      }),
    membershipChange,
    options,
  );

  // Live rows the lists did not contain. Each is asked about once more before it is tombstoned
  // (tombstones are final): a list read page by page can miss an object when another one is
  // deleted meanwhile, and webhooks may have added rows since the list was read.
  let usersTombstoned = 0;
  const liveUsers = await db.select({ id: users.id }).from(users).where(isNull(users.deletedAt));
  for (const { id } of liveUsers.filter((u) => !seenUsers.has(u.id))) {
    signal?.throwIfAborted();
    try {
      await apply(userChange(rawOf(await clerk.users.getUser(id))));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await apply({ kind: "user-deleted", userId: id });
      usersTombstoned += 1;
    }
  }

  let organizationsTombstoned = 0;
  const liveOrganizations = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(isNull(organizations.deletedAt));
  for (const { id } of liveOrganizations.filter((o) => !seenOrganizations.has(o.id))) {
    signal?.throwIfAborted();
    try {
      await apply(
        organizationChange(
          rawOf(await clerk.organizations.getOrganization({ organizationId: id })),
        ),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await apply({ kind: "organization-deleted", organizationId: id });
      organizationsTombstoned += 1;
    }
  }

  // After the users and organizations: their tombstones have already ended their memberships.
  let membershipsTombstoned = 0;
  const liveMemberships = await db
    .select({
      id: organizationMemberships.id,
      organizationId: organizationMemberships.organizationId,
      userId: organizationMemberships.userId,
      role: organizationMemberships.role,
    })
    .from(organizationMemberships)
    .where(isNull(organizationMemberships.deletedAt));
  for (const m of liveMemberships.filter((row) => !seenMemberships.has(row.id))) {
    signal?.throwIfAborted();
    const current = await clerk.organizations
      .getOrganizationMembershipList({ organizationId: m.organizationId, userId: [m.userId] })
      .then((list) => list.data[0])
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    if (current) {
      await apply(membershipChange(rawOf(current)));
    } else {
      const tombstoned = await db.transaction(async (tx) => {
        if (!(await tombstoneMembershipRow(tx, m.id))) return false;
        if (source) {
          await recordAuditEvent(tx, source, {
            tenantId: m.organizationId,
            kind: "membership.deleted",
            target: { type: "membership", id: m.id },
            changes: { user_id: m.userId, role: m.role, reconciled: true },
          });
        }
        return true;
      });
      if (tombstoned) membershipsTombstoned += 1;
    }
  }

  options.progress?.(
    `tombstoned ${usersTombstoned} user(s), ${organizationsTombstoned} organization(s), ` +
      `${membershipsTombstoned} membership(s) no longer in Clerk`,
  );
  // After the organizations' tombstones: a deleted organization's items went with it.
  const subscriptions = await syncSubscriptions(clerk, db, options);
  options.progress?.(
    `ended ${subscriptions.ended} subscription item(s) no longer in Clerk's subscriptions`,
  );
  return {
    users: { listed: seenUsers.size, tombstoned: usersTombstoned },
    organizations: { listed: seenOrganizations.size, tombstoned: organizationsTombstoned },
    memberships: { listed: seenMemberships.size, tombstoned: membershipsTombstoned },
    subscriptions,
  };
}
