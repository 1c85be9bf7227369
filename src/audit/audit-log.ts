import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { microsOf, olderThan, pageOf, type TimePosition } from "@/db/keyset";
import { type AuditEvent, auditEvents, users } from "@/db/schema";
import { memberDisplayName } from "@/members/members";
import type { AuditKind } from "./audit-kinds";

// The audit log: one helper writes it, inside the transaction of the change it records, so the
// change and its record commit or fail together; one query reads it, always within one tenant.

// Who made a change. A webhook from Clerk names an actor only where its payload does (who sent or
// accepted an invitation); otherwise the actor is Clerk itself (someone with the right, in Clerk's
// components or dashboard), not a guess. A machine is one of this deployment's (a scheduled job),
// by its Clerk machine id.
export type AuditActor =
  // `impersonatorId`: the Clerk user who acted as this one (an impersonation session), if anyone.
  | { type: "user"; id: string; impersonatorId?: string | null | undefined }
  | { type: "api_key"; id: string; name: string }
  | { type: "machine"; id: string }
  // A third-party application acting for a user (an OAuth access token): "Ada via Claude".
  | { type: "oauth_app"; id: string; appName: string }
  | { type: "clerk" };

// Where a change came from: its actor and the request that carried it (null where there was no
// app request, or for a webhook, no meaningful client address).
export type AuditSource = {
  actor: AuditActor;
  requestId: string | null;
  clientAddress: string | null;
};

export type AuditRecord = {
  tenantId: string;
  kind: AuditKind;
  target: { type: string; id: string };
  // What changed, small and free of secrets (an API key's name and scopes, never its secret).
  changes: Record<string, unknown>;
  // When it happened, where the source says (Clerk's timestamps); else when it was recorded.
  occurredAt?: Date | undefined;
  // The display name of the user the event is about (`changes.user_id`), where the source gives
  // it (Clerk's payloads do); else it is looked up among the synced users.
  subjectName?: string | null | undefined;
};

// A database or a transaction: anything that can read and insert.
type Writer = Pick<Database, "insert" | "select">;

// Synced users' display names now, by id; a user the database does not know has none.
async function displayNames(tx: Writer, ids: unknown[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => typeof id === "string"))];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .select({
      userId: users.id,
      firstName: users.firstName,
      lastName: users.lastName,
      email: users.email,
    })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((row) => [row.userId, memberDisplayName(row)]));
}

// Records the event with the names of its actor and subject as they are now: the log is read long
// after, when a user may be gone.
export async function recordAuditEvent(
  tx: Writer,
  source: AuditSource,
  record: AuditRecord,
): Promise<void> {
  await recordAuditEvents(tx, [{ source, record }]);
}

// Several events, in one lookup of names and one insert (a batch of webhook deliveries).
export async function recordAuditEvents(
  tx: Writer,
  entries: { source: AuditSource; record: AuditRecord }[],
): Promise<void> {
  if (entries.length === 0) return;
  const actorUser = ({ actor }: AuditSource) =>
    actor.type === "user" || actor.type === "oauth_app" ? actor.id : null;
  const names = await displayNames(
    tx,
    entries.flatMap(({ source, record }) => [
      actorUser(source),
      record.subjectName ? null : record.changes.user_id,
    ]),
  );
  const nameOf = (id: unknown) => (typeof id === "string" ? (names.get(id) ?? null) : null);
  await tx.insert(auditEvents).values(
    entries.map(({ source, record }) => {
      const { actor } = source;
      return {
        tenantId: record.tenantId,
        kind: record.kind,
        actorType: actor.type,
        actorId: actor.type === "clerk" ? null : actor.id,
        actorName:
          actor.type === "api_key"
            ? actor.name
            : actor.type === "oauth_app"
              ? `${nameOf(actor.id) ?? actor.id} via ${actor.appName}`
              : nameOf(actorUser(source)),
        impersonatorId: actor.type === "user" ? (actor.impersonatorId ?? null) : null,
        subjectName: record.subjectName ?? nameOf(record.changes.user_id),
        targetType: record.target.type,
        targetId: record.target.id,
        changes: record.changes,
        occurredAt: record.occurredAt,
        requestId: source.requestId,
        clientAddress: source.clientAddress,
      };
    }),
  );
}

export type AuditPage = { events: AuditEvent[]; next: TimePosition | null };

// One tenant's events, newest first.
export async function listAuditEvents(
  db: Database,
  tenantId: string,
  {
    limit = 20,
    after,
    kind,
  }: { limit?: number; after?: TimePosition | undefined; kind?: AuditKind | undefined } = {},
): Promise<AuditPage> {
  const rows = await db
    .select({ event: auditEvents, micros: microsOf(auditEvents.occurredAt) })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.tenantId, tenantId),
        kind ? eq(auditEvents.kind, kind) : undefined,
        after ? olderThan(auditEvents.occurredAt, auditEvents.id, after) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ micros: r.micros, id: r.event.id }));
  return { events: page.rows.map((r) => r.event), next: page.next };
}
