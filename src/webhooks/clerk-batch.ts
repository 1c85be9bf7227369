import { recordClerkEvents } from "@/audit/clerk-audit";
import { type Database, database } from "@/db/client";
import { sqlState } from "@/db/database-errors";
import { groupCommit } from "@/db/group-commit";
import { webhookEvents } from "@/db/schema";
import type {
  ClerkChange,
  MembershipSnapshot,
  OrganizationSnapshot,
  UserSnapshot,
} from "./clerk-events";
import {
  applyChange,
  type EventOutcome,
  type MembershipWrite,
  type Transaction,
  writeSnapshots,
} from "./clerk-sync";

// Svix deliveries applied in one transaction: recording their svix-ids, their audit records and
// their writes commit together, so a redelivery, even one racing the first delivery, finds its id
// and changes nothing. Under a burst several deliveries share a transaction (applyClerkDelivery
// gathers them), since a database round trip costs more than most of what an event does: their
// svix-ids are recorded in one statement, their audit records in one, the users, organizations and
// memberships among them in one statement per table, the rest one after another, and one commit
// ends them all.
//
// Why this ends in the rows that applying them one at a time would: the sync gives the same rows
// for any order of delivery (src/webhooks/clerk-sync.ts), so a batch is applied as if its users,
// organizations and memberships had come first, then the rest in the order they arrived;
// writeSnapshots writes what a sequential application would leave; memberships that share a pair
// or an id with another in the batch go with the rest. The property test runs random batches
// against the same final state.

export type ClerkDelivery = {
  svixId: string;
  eventType: string;
  change: ClerkChange;
  requestId: string | null;
};

// A delivery, in a transaction of its own when the receiver is idle, or with the others that
// arrived while the last one was being written. One transaction at a time: with two, a burst split into
// more, smaller batches and was slower (485 against 607 events/s, `npm run profile -- --path
// /api/webhooks/clerk`), and a server's batches cannot deadlock with each other. A batch that
// fails on data the database refuses (SQLSTATE class 22), a constraint (23) or a deadlock with
// another instance's batch (40) is retried one delivery at a time, so each gets the answer it
// would have had alone.
export const applyClerkDelivery = groupCommit(
  (deliveries: ClerkDelivery[]) => applyClerkEvents(database().db, deliveries),
  {
    lanes: 1,
    maxBatch: 64,
    maxWaiting: 1_000,
    retryAlone: (err) => /^(22|23|40)/.test(sqlState(err) ?? ""),
  },
);

export async function applyClerkEvents(
  db: Database,
  deliveries: ClerkDelivery[],
): Promise<EventOutcome[]> {
  return db.transaction(async (tx) => {
    // In the order of their ids, as every writer locks rows (src/webhooks/clerk-sync.ts): the same
    // deliveries sent to two servers at once wait for each other instead of deadlocking.
    const recorded = await tx
      .insert(webhookEvents)
      .values(
        deliveries
          .map(({ svixId, eventType }) => ({ svixId, eventType }))
          .sort((a, b) => (a.svixId < b.svixId ? -1 : a.svixId > b.svixId ? 1 : 0)),
      )
      .onConflictDoNothing()
      .returning({ svixId: webhookEvents.svixId });
    // The first delivery of a new svix-id is processed; any other (a redelivery racing it) is the
    // duplicate it would have been.
    const fresh = new Set(recorded.map((r) => r.svixId));
    const outcomes = deliveries.map(
      (d): EventOutcome => (fresh.delete(d.svixId) ? "processed" : "duplicate"),
    );
    await applyFresh(
      tx,
      deliveries.filter((_, i) => outcomes[i] === "processed"),
    );
    return outcomes;
  });
}

async function applyFresh(tx: Transaction, deliveries: ClerkDelivery[]): Promise<void> {
  const users: UserSnapshot[] = [];
  const organizations: OrganizationSnapshot[] = [];
  const memberships: MembershipWrite[] = [];
  const together: ClerkDelivery[] = [];
  const rest: ClerkDelivery[] = [];
  const shared = sharedMemberships(deliveries);
  for (const d of deliveries) {
    const c = d.change;
    if (c.kind === "user-upserted") users.push(c.user);
    else if (c.kind === "organization-upserted") organizations.push(c.organization);
    else if (
      (c.kind === "membership-upserted" || c.kind === "membership-deleted") &&
      !shared.has(c.membership)
    )
      memberships.push({ membership: c.membership, deleted: c.kind === "membership-deleted" });
    else {
      rest.push(d);
      continue;
    }
    together.push(d);
  }
  // Audit records are read before the writes they describe (a role change against the role stored
  // until then), as for one event alone.
  await recordClerkEvents(tx, together);
  await writeSnapshots(tx, { users, organizations, memberships });
  for (const d of rest) {
    await recordClerkEvents(tx, [d]);
    await applyChange(tx, d.change);
  }
}

// The membership snapshots of the batch that share their (organization, user) pair or their id
// with another: one statement cannot write a row twice, and the order between them matters.
function sharedMemberships(deliveries: ClerkDelivery[]): Set<MembershipSnapshot> {
  const ms = deliveries.flatMap(({ change: c }) =>
    c.kind === "membership-upserted" || c.kind === "membership-deleted" ? [c.membership] : [],
  );
  const counts = new Map<string, number>();
  const keys = (m: MembershipSnapshot) => [`pair ${m.organizationId} ${m.userId}`, `id ${m.id}`];
  for (const m of ms) for (const k of keys(m)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return new Set(ms.filter((m) => keys(m).some((k) => (counts.get(k) ?? 0) > 1)));
}
