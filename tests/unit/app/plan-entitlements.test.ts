import { createCheckAuthorization } from "@clerk/shared/authorization";
import { describe, expect, it } from "vitest";
import {
  apiRateLimit,
  checkOfPlan,
  currentPlan,
  decideFeature,
  decideProjectCount,
} from "@/auth/authorize";
import { BILLING_PLANS } from "../../../clerk/billing-plans";

// Clerk's own `has`, over the claims a session token carries for an organization on `plan`
// (what the emulator mints: the plan in `pla`, its features after the permission features in `fea`).
function hasFor(plan: string) {
  const declared = BILLING_PLANS.organization_plans.find((p) => p.key === plan);
  const features = ["o:projects", ...(declared?.features ?? []).map((f) => `o:${f}`)];
  return createCheckAuthorization({
    userId: "user_1",
    orgId: "org_1",
    orgRole: "org:admin",
    orgPermissions: ["org:projects:manage"],
    factorVerificationAge: null,
    features: features.join(","),
    plans: `o:${plan}`,
  });
}

describe("plan entitlements", () => {
  it("reads the plan with has({ plan }) and falls back to the default plan", () => {
    expect(currentPlan(hasFor("team")).key).toBe("team");
    expect(hasFor("team")({ plan: "team" })).toBe(true);
    expect(currentPlan(() => false).key).toBe("free_org");
  });

  it("refuses a feature the plan lacks with the plans that include it", () => {
    expect(decideFeature(hasFor("team"), "audit_log")).toEqual({ ok: true });
    const refused = decideFeature(hasFor("free_org"), "audit_log");
    expect(refused).toMatchObject({
      ok: false,
      problem: {
        status: 403,
        type: "/problems/forbidden",
        missing_feature: "audit_log",
        plans: ["team", "business"],
      },
    });
    expect(decideFeature(hasFor("team"), "higher_rate_limit")).toMatchObject({
      ok: false,
      problem: { missing_feature: "higher_rate_limit", plans: ["business"] },
    });
  });

  it("refuses a project past the plan's limit, naming the plans with room, and keeps what exists", () => {
    expect(decideProjectCount(hasFor("free_org"), 2)).toEqual({ ok: true });
    expect(decideProjectCount(hasFor("free_org"), 3)).toMatchObject({
      ok: false,
      problem: { plan_limit: "projects", limit: 3, plans: ["team", "business"] },
    });
    // After a downgrade with 50 projects: none is taken away, a 51st is refused.
    expect(decideProjectCount(hasFor("free_org"), 50)).toMatchObject({
      ok: false,
      problem: { plans: ["team", "business"] },
    });
    expect(decideProjectCount(hasFor("team"), 50)).toEqual({ ok: true });
    // Team's hundred: only Business, which has no limit, has room.
    expect(decideProjectCount(hasFor("team"), 100)).toMatchObject({
      ok: false,
      problem: { limit: 100, plans: ["business"] },
    });
    expect(decideProjectCount(hasFor("business"), 100_000)).toEqual({ ok: true });
  });

  it("answers for a plan read from the database exactly as has() does for a token that carries it", () => {
    const plans = BILLING_PLANS.organization_plans;
    const questions = [
      ...plans.flatMap((p) => [{ plan: p.key }, { plan: `o:${p.key}` }]),
      ...BILLING_PLANS.features.flatMap((f) => [{ feature: f.key }, { feature: `o:${f.key}` }]),
    ];
    for (const plan of plans) {
      for (const question of questions) {
        expect(checkOfPlan(plan)(question), `${plan.key} ${JSON.stringify(question)}`).toBe(
          hasFor(plan.key)(question),
        );
      }
    }
  });

  it("gives each plan its API rate limit", () => {
    expect(apiRateLimit(hasFor("free_org"))).toBe(60);
    expect(apiRateLimit(hasFor("business"))).toBe(6000);
  });
});
