import { describe, expect, it } from "vitest";
import {
  AuditEventListQuery,
  auditEventCursor,
  MemberListQuery,
  memberCursor,
  ProjectListQuery,
  projectCursor,
} from "@/api/list-params";

const position = {
  micros: "1767225600123456",
  id: "3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b",
};

describe("list parameters", () => {
  it("reads back the position a project cursor was made from", () => {
    const parsed = ProjectListQuery.safeParse({ cursor: projectCursor(position), limit: "5" });
    expect(parsed.data).toEqual({ cursor: position, limit: 5 });
  });

  it("reads back the membership a member cursor was made from", () => {
    expect(MemberListQuery.parse({ cursor: memberCursor("orgmem_123") }).cursor).toBe("orgmem_123");
  });

  it("defaults the page size to 20", () => {
    expect(ProjectListQuery.parse({})).toEqual({ limit: 20 });
  });

  it.each(["0", "101", "2.5", "ten", ""])("rejects limit=%j", (limit) => {
    const parsed = ProjectListQuery.safeParse({ limit });
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["limit"]);
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["another list's cursor", memberCursor("orgmem_123")],
    ["the audit log's cursor, of the same shape", auditEventCursor(position)],
    ["a forged position", Buffer.from('{"t":"1; drop table","i":"x"}').toString("base64url")],
    ["an oversized value", "a".repeat(513)],
    [
      "a position beyond Postgres' timestamps",
      Buffer.from(
        JSON.stringify({
          l: "projects",
          t: "9223372036854775807",
          i: "3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b",
        }),
      ).toString("base64url"),
    ],
    [
      "a position past the year 9999",
      Buffer.from(
        JSON.stringify({
          l: "projects",
          t: "253402300800000000",
          i: "3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b",
        }),
      ).toString("base64url"),
    ],
  ])("rejects %s as a cursor", (_label, cursor) => {
    const parsed = ProjectListQuery.safeParse({ cursor });
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["cursor"]);
  });
});

describe("audit event list parameters", () => {
  it("reads back its cursor's position and the kind to filter by", () => {
    const parsed = AuditEventListQuery.safeParse({
      cursor: auditEventCursor(position),
      kind: "api_key.revoked",
    });
    expect(parsed.data).toEqual({ cursor: position, kind: "api_key.revoked", limit: 20 });
  });

  it.each(["project", "project.*", "PROJECT.CREATED", ""])("rejects kind=%j", (kind) => {
    const parsed = AuditEventListQuery.safeParse({ kind });
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["kind"]);
  });

  it("refuses a projects cursor", () => {
    const parsed = AuditEventListQuery.safeParse({ cursor: projectCursor(position) });
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["cursor"]);
  });
});
