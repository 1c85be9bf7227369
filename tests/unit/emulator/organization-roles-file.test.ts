import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readOrganizationRoles, SYSTEM_PERMISSIONS } from "../../../clerk/organization-roles";

const dir = mkdtempSync(path.join(tmpdir(), "roles-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(content: unknown) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const admin = {
  key: "org:admin",
  name: "Admin",
  description: "d",
  permissions: SYSTEM_PERMISSIONS.map((p) => p.key),
};
const member = { key: "org:member", name: "Member", description: "d", permissions: [] };

describe("clerk/organization-roles.json", () => {
  it("declares admin, member and a read-only viewer, and the app's permissions", () => {
    const roles = readOrganizationRoles();
    expect(roles.roles.map((r) => [r.key, r.name])).toEqual([
      ["org:admin", "Admin"],
      ["org:member", "Member"],
      ["org:viewer", "Viewer"],
    ]);
    expect(roles.permissions.map((p) => p.key)).toEqual([
      "org:projects:read",
      "org:projects:manage",
      "org:audit:read",
    ]);
    const viewer = roles.roles.find((r) => r.key === "org:viewer");
    expect(viewer?.permissions).toEqual(["org:sys_memberships:read", "org:projects:read"]);
  });

  it("names every problem of a bad file with its place", () => {
    const file = fileWith({
      permissions: [
        { key: "org:projects:read", name: "Read", description: "d" },
        { key: "org:projects:read", name: "Again", description: "d" },
        { key: "org:sys_things:read", name: "Mine", description: "d" },
        { key: "projects-read", name: "Bad", description: "d" },
      ],
      roles: [
        { ...admin, permissions: ["org:projects:read"] },
        { ...member, permissions: ["org:projects:wrte", "org:sys_membership:read"] },
        { key: "Viewer", name: "", description: "d", permissions: [] },
      ],
    });
    let message = "";
    try {
      readOrganizationRoles(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`invalid organization roles ${file}`);
    expect(message).toContain('permissions.2.key: must not start with "org:sys_"');
    expect(message).toContain('permissions.3.key: must look like "org:<feature>:<action>"');
    expect(message).toContain('roles.2.key: must look like "org:<role>"');
    expect(message).toContain("roles.2.name:");
  });

  it("refuses duplicates, undeclared permissions and a creator role that cannot run an organization", () => {
    const file = fileWith({
      permissions: [
        { key: "org:projects:read", name: "Read", description: "d" },
        { key: "org:projects:read", name: "Again", description: "d" },
      ],
      roles: [
        { ...admin, permissions: ["org:projects:read"] },
        { ...member, permissions: ["org:projects:wrte", "org:sys_membership:read"] },
        { ...member },
      ],
    });
    expect(() => readOrganizationRoles(file)).toThrow(
      /permissions\.1\.key: org:projects:read is declared twice/,
    );
    let message = "";
    try {
      readOrganizationRoles(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("roles.1.permissions.0: org:projects:wrte is neither declared");
    expect(message).toContain("roles.1.permissions.1: org:sys_membership:read is neither declared");
    expect(message).toContain("roles.2.key: org:member is declared twice");
    expect(message).toContain(
      "org:admin is the creator role and needs org:sys_memberships:manage, org:sys_memberships:read, org:sys_profile:delete",
    );
  });

  it("requires the creator and default roles, and readable JSON", () => {
    expect(() => readOrganizationRoles(fileWith({ permissions: [], roles: [] }))).toThrow(
      /must declare org:admin[\s\S]*must declare org:member/,
    );
    expect(() => readOrganizationRoles(fileWith("{ not json"))).toThrow(
      /cannot read organization roles/,
    );
    expect(() => readOrganizationRoles(fileWith({ roles: [admin, member], extra: 1 }))).toThrow(
      /Unrecognized key/,
    );
  });
});
