import { describe, expect, it } from "vitest";
import { API_SCOPES } from "@/auth/api-scopes";
import { decide, decideMachine, decideSensitive, SENSITIVE_ACTIONS } from "@/auth/authorize";
import type { MachinePrincipal, TenantPrincipal } from "@/auth/principal";

function apiKey(scopes: string[], subject = "org_a"): TenantPrincipal {
  const isOrg = subject.startsWith("org_");
  return {
    tokenType: "api_key",
    keyId: "ak_1",
    keyName: "script",
    userId: isOrg ? null : subject,
    orgId: isOrg ? subject : null,
    scopes,
    tenantId: subject,
  };
}

// `fva`: minutes since the session verified the user's first and second factor (-1: never).
function session(
  role: "admin" | "member" | "personal",
  factorVerificationAge: [number, number] | null = [0, -1],
): TenantPrincipal {
  const permissions = {
    admin: ["org:projects:read", "org:projects:manage", "org:audit:read"],
    member: ["org:projects:read"],
    personal: [],
  }[role];
  const inOrg = role !== "personal";
  return {
    tokenType: "session_token",
    userId: "user_1",
    orgId: inOrg ? "org_a" : null,
    orgSlug: inOrg ? "acme" : null,
    orgRole: inOrg ? `org:${role}` : null,
    permissions,
    tenantId: inOrg ? "org_a" : "user_1",
    // Plans are decided apart (plan-entitlements.test.ts).
    features: null,
    plans: null,
    impersonatorId: null,
    factorVerificationAge,
  };
}

describe("API authorization", () => {
  it.each(API_SCOPES)("lets an API key with the scope %s use it", (scope) => {
    expect(decide(apiKey([scope]), scope)).toEqual({ ok: true });
  });

  it("refuses an API key every scope it does not carry, naming the missing scope", () => {
    const decision = decide(apiKey(["projects:read", "members:read"]), "projects:write");
    expect(decision).toMatchObject({
      ok: false,
      problem: { status: 403, missing_scope: "projects:write" },
    });
    expect(decision.ok || decision.problem.detail).toContain("projects:write");
  });

  it("gives a key without scopes nothing at all", () => {
    for (const scope of API_SCOPES) {
      expect(decide(apiKey([]), scope), scope).toMatchObject({
        ok: false,
        problem: { status: 403 },
      });
    }
  });

  it("applies the same scope rules to a user's personal key", () => {
    expect(decide(apiKey(["projects:read"], "user_9"), "projects:read").ok).toBe(true);
    expect(decide(apiKey(["projects:read"], "user_9"), "projects:write").ok).toBe(false);
  });

  it("lets an admin session read and manage projects, read members and read the audit log", () => {
    for (const scope of API_SCOPES) expect(decide(session("admin"), scope).ok, scope).toBe(true);
  });

  it("lets a member session read projects and members but not change projects", () => {
    expect(decide(session("member"), "projects:read").ok).toBe(true);
    expect(decide(session("member"), "members:read").ok).toBe(true);
    expect(decide(session("member"), "projects:write")).toMatchObject({
      ok: false,
      problem: { status: 403, missing_permission: "org:projects:manage" },
    });
  });

  it("refuses the audit log to a session without org:audit:read, naming it", () => {
    expect(decide(session("member"), "audit:read")).toMatchObject({
      ok: false,
      problem: { status: 403, missing_permission: "org:audit:read" },
    });
  });

  it("refuses a session whose role holds no project permission", () => {
    const guest = { ...session("member"), permissions: [] };
    expect(decide(guest, "projects:read")).toMatchObject({
      ok: false,
      problem: { missing_permission: "org:projects:read" },
    });
    expect(decide(guest, "members:read").ok).toBe(true);
  });

  it("lets a session in its personal workspace do everything there", () => {
    for (const scope of API_SCOPES) expect(decide(session("personal"), scope).ok, scope).toBe(true);
  });
});

describe("sensitive actions", () => {
  it("refuses a session that verified the user over 10 minutes ago with Clerk's strict reverification error", () => {
    for (const fva of [
      [11, -1],
      [-1, -1],
      [2, 11],
    ] as [number, number][]) {
      expect(decideSensitive(session("admin", fva), "project.delete"), String(fva)).toMatchObject({
        ok: false,
        problem: {
          status: 403,
          reverification: "strict",
          clerk_error: {
            type: "forbidden",
            reason: "reverification-error",
            metadata: { reverification: "strict" },
          },
        },
      });
    }
    expect(decideSensitive(session("admin", null), "api_key.create").ok).toBe(false);
  });

  it("lets a session through within 10 minutes of its second factor, or its first without one", () => {
    for (const fva of [
      [9, -1],
      [30, 3],
      [-1, 0],
    ] as [number, number][]) {
      expect(decideSensitive(session("admin", fva), "api_key.revoke"), String(fva)).toEqual({
        ok: true,
      });
    }
  });

  it("lets an API key do what its scopes allow: it has no one to reverify", () => {
    for (const action of Object.keys(SENSITIVE_ACTIONS) as (keyof typeof SENSITIVE_ACTIONS)[]) {
      expect(decideSensitive(apiKey(["projects:write"]), action)).toEqual({ ok: true });
    }
  });
});

describe("Machine authorization", () => {
  const machine = (scopes: string[]): MachinePrincipal => ({
    tokenType: "m2m_token",
    machineId: "mch_job",
    tokenId: "mt_1",
    scopes,
  });

  it("lets a machine in when its token names the app's machine among its scopes", () => {
    expect(decideMachine(machine(["mch_other", "mch_app"]), "mch_app")).toEqual({ ok: true });
  });

  it("refuses a machine with no scope to the app's machine, naming the scope it lacks", () => {
    expect(decideMachine(machine(["mch_other"]), "mch_app")).toMatchObject({
      ok: false,
      problem: { status: 403, missing_scope: "mch_app" },
    });
    expect(decideMachine(machine([]), "mch_app").ok).toBe(false);
  });
});
