import { and, count, desc, eq, sql } from "drizzle-orm";
import { type AuditSource, recordAuditEvent } from "@/audit/audit-log";
import type { ProjectCountRule } from "@/auth/authorize";
import type { Database } from "@/db/client";
import { microsOf, olderThan, pageOf, type TimePosition } from "@/db/keyset";
import { type Project, projects } from "@/db/schema";
import type { Problem } from "@/http/problem";
import type { ProjectInput, ProjectPatch } from "./project-input";

// Every query is scoped by tenant: another tenant's project is indistinguishable from a missing one.
// Every change is recorded in the audit log in its own transaction, by whoever `source` names.

export type ProjectPage = { projects: Project[]; next: TimePosition | null };

export async function listProjects(
  db: Database,
  tenantId: string,
  { limit = 50, after }: { limit?: number; after?: TimePosition | undefined } = {},
): Promise<ProjectPage> {
  const rows = await db
    .select({ project: projects, micros: microsOf(projects.createdAt) })
    .from(projects)
    .where(
      and(
        eq(projects.tenantId, tenantId),
        after ? olderThan(projects.createdAt, projects.id, after) : undefined,
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit, (r) => ({ micros: r.micros, id: r.project.id }));
  return { projects: page.rows.map((r) => r.project), next: page.next };
}

export async function countProjects(db: Database, tenantId: string): Promise<number> {
  const [counted] = await db
    .select({ n: count() })
    .from(projects)
    .where(eq(projects.tenantId, tenantId));
  return counted?.n ?? 0;
}

const target = (id: string) => ({ type: "project", id });

export type ProjectCreation = { ok: true; project: Project } | { ok: false; problem: Problem };

// `rule` decides on the number of projects the tenant has, counted inside the insert's
// transaction while holding a per-tenant lock: two creates at once are counted one after the
// other, so neither passes the limit on the other's count.
export async function createProject(
  db: Database,
  tenantId: string,
  createdBy: string,
  input: ProjectInput,
  source: AuditSource,
  rule: ProjectCountRule,
): Promise<ProjectCreation> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`projects:${tenantId}`}, 0))`,
    );
    const [counted] = await tx
      .select({ n: count() })
      .from(projects)
      .where(eq(projects.tenantId, tenantId));
    const decision = rule(counted?.n ?? 0);
    if (!decision.ok) return decision;
    const [row] = await tx
      .insert(projects)
      .values({ tenantId, createdBy, name: input.name, description: input.description ?? null })
      .returning();
    if (!row) throw new Error("insert returned no row");
    await recordAuditEvent(tx, source, {
      tenantId,
      kind: "project.created",
      target: target(row.id),
      changes: { name: row.name, description: row.description },
    });
    return { ok: true, project: row };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isProjectId(id: string): boolean {
  return UUID.test(id);
}

export async function getProject(
  db: Database,
  tenantId: string,
  id: string,
): Promise<Project | null> {
  if (!isProjectId(id)) return null;
  const [row] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)));
  return row ?? null;
}

export async function updateProject(
  db: Database,
  tenantId: string,
  id: string,
  patch: ProjectPatch,
  source: AuditSource,
): Promise<Project | null> {
  if (!isProjectId(id)) return null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(projects)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && { description: patch.description }),
        updatedAt: sql`now()`,
      })
      .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)))
      .returning();
    if (!row) return null;
    // The fields sent, with the values they now have.
    await recordAuditEvent(tx, source, {
      tenantId,
      kind: "project.updated",
      target: target(row.id),
      changes: { ...patch },
    });
    return row;
  });
}

export async function deleteProject(
  db: Database,
  tenantId: string,
  id: string,
  source: AuditSource,
): Promise<boolean> {
  if (!isProjectId(id)) return false;
  return db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(projects)
      .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)))
      .returning({ id: projects.id, name: projects.name });
    if (!deleted) return false;
    await recordAuditEvent(tx, source, {
      tenantId,
      kind: "project.deleted",
      target: target(deleted.id),
      changes: { name: deleted.name },
    });
    return true;
  });
}
