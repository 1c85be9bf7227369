import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { type Project, projects } from "@/db/schema";
import type { ProjectInput, ProjectPatch } from "./project-input";

// Every query is scoped by tenant: another tenant's project is indistinguishable from a missing one.

// A position in the list (newest first): the last row's creation time in microseconds since the
// epoch, exactly as Postgres stores it (a JS Date keeps only milliseconds, and rounding would skip
// or repeat rows created within the same millisecond), and its id to break ties.
export type ProjectPosition = { createdAtMicros: string; id: string };

export type ProjectPage = { projects: Project[]; next: ProjectPosition | null };

const createdAtMicros = sql<string>`(extract(epoch from ${projects.createdAt}) * 1000000)::bigint::text`;

export async function listProjects(
  db: Database,
  tenantId: string,
  { limit = 50, after }: { limit?: number; after?: ProjectPosition | undefined } = {},
): Promise<ProjectPage> {
  const rows = await db
    .select({ project: projects, createdAtMicros })
    .from(projects)
    .where(
      and(
        eq(projects.tenantId, tenantId),
        after
          ? sql`(${projects.createdAt}, ${projects.id}) < (timestamptz 'epoch' + ${after.createdAtMicros}::bigint * interval '1 microsecond', ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    // One row more than asked tells whether another page follows.
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    projects: page.map((r) => r.project),
    next:
      rows.length > limit && last
        ? { createdAtMicros: last.createdAtMicros, id: last.project.id }
        : null,
  };
}

export async function createProject(
  db: Database,
  tenantId: string,
  createdBy: string,
  input: ProjectInput,
): Promise<Project> {
  const [row] = await db
    .insert(projects)
    .values({ tenantId, createdBy, name: input.name, description: input.description ?? null })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
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
): Promise<Project | null> {
  if (!isProjectId(id)) return null;
  const [row] = await db
    .update(projects)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteProject(db: Database, tenantId: string, id: string): Promise<boolean> {
  if (!isProjectId(id)) return false;
  const deleted = await db
    .delete(projects)
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)))
    .returning({ id: projects.id });
  return deleted.length > 0;
}
