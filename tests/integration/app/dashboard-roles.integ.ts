import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ProjectFormState } from "../../../src/app/orgs/[slug]/actions";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { appStack } from "../../support/app-stack";
import { mintSession, subscribeOrganization, unique } from "../../support/emulator-client";
import { callServerAction, serverActionId } from "../../support/server-action";

// What each role may do on the organization's dashboard and through the API, as the server
// renders and enforces it: the read-only org:viewer (clerk/organization-roles.json) sees projects
// and members and nothing to change them with, and is refused every write.

const { app, emulator, clerk } = appStack();
let database: AppDatabase;
let admin: string;
let viewer: string;
let org: { id: string; slug: string };
let project: { id: string; name: string };

const ACTIONS = "src/app/orgs/[slug]/actions.ts";

beforeAll(async () => {
  database = connectAppDatabase(inject("databaseUrl"));
  const user = async (name: string) =>
    (await clerk.users.createUser({ emailAddress: [`${unique(name)}@example.com`] })).id;
  admin = await user("admin");
  viewer = await user("viewer");
  const created = await clerk.organizations.createOrganization({
    name: "Viewed",
    createdBy: admin,
  });
  org = { id: created.id, slug: created.slug };
  // On a paid plan: its limits (projects, audit log, organization API keys) are not under test here.
  await subscribeOrganization(emulator.url, created.id, "team");
  // As an admin would add a read-only teammate, through Clerk's Backend API.
  await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: viewer,
    role: "org:viewer",
  });
  const name = unique("Roadmap");
  const res = await api("POST", "/api/v1/projects", await session(admin), { name });
  project = { id: (await res.json()).id, name };
});

afterAll(async () => {
  await database?.close();
});

async function session(userId: string) {
  return (await mintSession(emulator.url, { user_id: userId, organization_id: org.id })).token;
}

function api(method: string, path: string, token: string, body?: unknown) {
  return fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function dashboard(token: string) {
  const res = await fetch(`${app.url}/orgs/${org.slug}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, html: await res.text() };
}

async function auditRows(): Promise<number> {
  const [row] =
    await database.sql`select count(*)::int as n from audit_events where tenant_id = ${org.id}`;
  return row?.n;
}

describe("a viewer (org:viewer)", () => {
  it("reads the organization's projects and members through the API, and is refused every write with 403 missing_permission", async () => {
    const token = await session(viewer);
    const me = await (await api("GET", "/api/v1/me", token)).json();
    expect(me).toMatchObject({ org_role: "org:viewer", permissions: ["org:projects:read"] });
    expect((await api("GET", "/api/v1/projects", token)).status).toBe(200);
    expect((await api("GET", `/api/v1/projects/${project.id}`, token)).status).toBe(200);
    expect((await api("GET", "/api/v1/members", token)).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/api/v1/projects", { name: "By a viewer" }],
      ["PATCH", `/api/v1/projects/${project.id}`, { name: "Renamed by a viewer" }],
      ["DELETE", `/api/v1/projects/${project.id}`, undefined],
    ] as const) {
      const res = await api(method, path, token, body);
      expect(res.status, method).toBe(403);
      expect(await res.json()).toMatchObject({
        type: "/problems/forbidden",
        missing_permission: "org:projects:manage",
      });
    }
    const audit = await api("GET", "/api/v1/audit-events", token);
    expect(await audit.json()).toMatchObject({ missing_permission: "org:audit:read" });
  });

  it("opens a project's page, which offers no edit form", async () => {
    const res = await fetch(`${app.url}/orgs/${org.slug}/projects/${project.id}`, {
      headers: { authorization: `Bearer ${await session(viewer)}` },
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain(project.name);
    expect(html).toContain("Only admins can edit projects.");
    expect(html).not.toContain("Edit project");
  });

  it("sees the projects on the dashboard but no create form and no delete buttons", async () => {
    const { status, html } = await dashboard(await session(viewer));
    expect(status).toBe(200);
    expect(html).toContain(project.name);
    expect(html).toContain("Ask an admin to add or remove projects.");
    expect(html).not.toContain("New project");
    expect(html).not.toContain(`Delete ${project.name}`);
    // The admin's view of the same page has both.
    const adminView = await dashboard(await session(admin));
    expect(adminView.html).toContain("New project");
    expect(adminView.html).toContain(`Delete ${project.name}`);
  });

  it("is refused by the dashboard's actions on the server, which change and record nothing", async () => {
    const token = await session(viewer);
    const before = await auditRows();
    const form = new FormData();
    form.append("name", "Sneaked in");
    form.append("description", "");
    const created = await callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: `/orgs/${org.slug}`,
      actionId: serverActionId(ACTIONS, "createProjectAction"),
      args: [org.slug, { status: "idle" }, form],
      token,
    });
    expect(created).toMatchObject({ status: "error", message: "Only admins can change projects." });
    const renamed = await callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: `/orgs/${org.slug}/projects/${project.id}`,
      actionId: serverActionId(ACTIONS, "updateProjectAction"),
      args: [org.slug, project.id, { status: "idle" }, form],
      token,
    });
    expect(renamed).toMatchObject({ status: "error", message: "Only admins can change projects." });
    const deleted = await callServerAction<{ ok: boolean }>({
      appUrl: app.url,
      page: `/orgs/${org.slug}`,
      actionId: serverActionId(ACTIONS, "deleteProjectAction"),
      args: [org.slug, project.id],
      token,
    });
    expect(deleted.ok).toBe(false);

    const list = await (await api("GET", "/api/v1/projects", token)).json();
    expect(list.data.map((p: { name: string }) => p.name)).toEqual([project.name]);
    expect(await auditRows()).toBe(before);
  });
});

describe("an admin on a project's page", () => {
  const page = () => `/orgs/${org.slug}/projects/${project.id}`;
  const edit = async (name: string, description: string) => {
    const form = new FormData();
    form.append("name", name);
    form.append("description", description);
    return callServerAction<ProjectFormState>({
      appUrl: app.url,
      page: page(),
      actionId: serverActionId(ACTIONS, "updateProjectAction"),
      args: [org.slug, project.id, { status: "idle" }, form],
      token: await session(admin),
    });
  };

  it("is held to the API's rules: field errors, the input kept, nothing written", async () => {
    const before = await auditRows();
    expect(await edit(" ", "x".repeat(1001))).toEqual({
      status: "error",
      fieldErrors: {
        name: "Name is required.",
        description: "Description must be at most 1000 characters.",
      },
      values: { name: " ", description: "x".repeat(1001) },
    });
    expect(await auditRows()).toBe(before);
  });

  it("saves what changed, and records only that as project.updated by the admin", async () => {
    const renamed = unique("Renamed");
    expect(await edit(renamed, "")).toMatchObject({ status: "saved", message: "Saved." });
    const [row] = await database.sql`
      select kind, actor_type, actor_id, changes from audit_events
      where tenant_id = ${org.id} and target_id = ${project.id} order by occurred_at desc limit 1`;
    expect(row).toEqual({
      kind: "project.updated",
      actor_type: "user",
      actor_id: admin,
      changes: { name: renamed },
    });
    expect(await edit(renamed, "")).toMatchObject({ status: "saved", message: "Nothing changed." });
    const res = await fetch(`${app.url}${page()}`, {
      headers: { authorization: `Bearer ${await session(admin)}` },
    });
    expect(await res.text()).toContain(renamed);
    project.name = renamed;
  });

  it("answers 404 for another organization's project id and for a malformed one", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const res = await fetch(`${app.url}/orgs/${org.slug}/projects/${id}`, {
        headers: { authorization: `Bearer ${await session(admin)}` },
      });
      expect(res.status, id).toBe(404);
    }
  });
});
