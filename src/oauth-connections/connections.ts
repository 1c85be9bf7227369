import { and, desc, eq, sql } from "drizzle-orm";
import { type AuditSource, recordAuditEvent } from "@/audit/audit-log";
import type { Database } from "@/db/client";
import { type OAuthConnection, oauthConnections } from "@/db/schema";

// The applications a user connected through Clerk's OAuth server, as this app has seen them act.
// Clerk's Backend and Frontend APIs list no user's grants (its Dashboard lists them per
// application), so the app keeps its own record, written when a token is used, and its own
// disconnection: an application the user disconnected is refused here, whatever tokens it holds
// or gets (a refresh, a new consent), until the user reconnects it in settings.

export type ConnectionUse = {
  userId: string;
  clientId: string;
  appName: string;
  organizationId: string | null;
  scopes: string[];
};

// How often a connection's last use is written: a busy assistant does not cost a write a request.
const LAST_USED_RESOLUTION_MS = 60_000;

// Records a use of the application's token; false when the user disconnected the application.
// One read, and a write at most once a minute per connection (or when its organization, scopes
// or name change).
export async function recordConnectionUse(db: Database, use: ConnectionUse): Promise<boolean> {
  const [known] = await db
    .select()
    .from(oauthConnections)
    .where(
      and(eq(oauthConnections.userId, use.userId), eq(oauthConnections.clientId, use.clientId)),
    );
  if (known?.revokedAt) return false;
  const stale =
    !known ||
    Date.now() - known.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS ||
    known.organizationId !== use.organizationId ||
    known.scopes.join(" ") !== use.scopes.join(" ") ||
    known.appName !== use.appName;
  if (!stale) return true;
  await db
    .insert(oauthConnections)
    .values({
      userId: use.userId,
      clientId: use.clientId,
      appName: use.appName,
      organizationId: use.organizationId,
      scopes: use.scopes,
    })
    .onConflictDoUpdate({
      target: [oauthConnections.userId, oauthConnections.clientId],
      set: {
        appName: use.appName,
        organizationId: use.organizationId,
        scopes: use.scopes,
        lastUsedAt: sql`now()`,
      },
    });
  return true;
}

export async function listConnections(db: Database, userId: string): Promise<OAuthConnection[]> {
  return db
    .select()
    .from(oauthConnections)
    .where(eq(oauthConnections.userId, userId))
    .orderBy(desc(oauthConnections.lastUsedAt));
}

// Disconnects the application (its tokens stop working here at once), or reconnects it, and records
// the change in the audit log of the tenant the application acts in: the organization chosen at
// consent, else the user's personal workspace (their user id), as for the user's own API keys.
// Clicking again changes nothing and records nothing: the first disconnection's time stays. Null
// for an application that never acted for the user.
export async function setDisconnected(
  db: Database,
  source: AuditSource,
  change: { userId: string; clientId: string; disconnected: boolean },
): Promise<OAuthConnection | null> {
  const { userId, clientId, disconnected } = change;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(oauthConnections)
      .where(and(eq(oauthConnections.userId, userId), eq(oauthConnections.clientId, clientId)))
      .for("update");
    if (!row || (row.revokedAt !== null) === disconnected) return row ?? null;
    const [updated] = await tx
      .update(oauthConnections)
      .set({ revokedAt: disconnected ? sql`now()` : null })
      .where(and(eq(oauthConnections.userId, userId), eq(oauthConnections.clientId, clientId)))
      .returning();
    await recordAuditEvent(tx, source, {
      tenantId: row.organizationId ?? userId,
      kind: disconnected ? "oauth_app.disconnected" : "oauth_app.reconnected",
      target: { type: "oauth_app", id: clientId },
      changes: { name: row.appName, scopes: row.scopes },
    });
    return updated ?? null;
  });
}
