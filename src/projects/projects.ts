import { and, desc, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { type Project, projects } from "@/db/schema";
import type { ProjectInput } from "./project-input";

// Every query is scoped by tenant: another tenant's project is indistinguishable from a missing one.
export async function listProjects(db: Database, tenantId: string, limit = 50): Promise<Project[]> {
  return db
    .select()
    .from(projects)
    .where(eq(projects.tenantId, tenantId))
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(limit);
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

export async function deleteProject(db: Database, tenantId: string, id: string): Promise<boolean> {
  if (!isProjectId(id)) return false;
  const deleted = await db
    .delete(projects)
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, id)))
    .returning({ id: projects.id });
  return deleted.length > 0;
}
