import type { createClerkClient } from "@clerk/backend";
import type { BillingPlansDeclaration, DeclaredPlan } from "../../clerk/billing-plans";

type Clerk = ReturnType<typeof createClerkClient>;
type InstancePlan = Awaited<ReturnType<Clerk["billing"]["getPlanList"]>>["data"][number];

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function planSummary(plan: DeclaredPlan, features: Map<string, string>) {
  const names = plan.features.map((key) => `${features.get(key) ?? key} (${key})`);
  return (
    `${plan.name} (slug ${plan.key}): ${dollars(plan.monthly_fee)}/month, ` +
    `${dollars(plan.annual_monthly_fee)}/month billed annually, ${plan.seats} seats` +
    `${plan.default ? ", the default plan" : ""}; features: ${names.join(", ") || "none"}`
  );
}

// What the Dashboard must change for the instance's organization plans to match the file: one line
// each, none when they match. An instance without billing says so in one line. (@clerk/backend's
// plans do not carry seat limits, so seats are printed for creating a plan but not compared.)
export async function billingDifferences(
  clerk: Clerk,
  declaration: BillingPlansDeclaration,
): Promise<string[]> {
  let plans: InstancePlan[];
  try {
    plans = (await clerk.billing.getPlanList({ payerType: "org" })).data;
  } catch (err) {
    const detail = (err as { errors?: { message: string }[] }).errors?.[0]?.message;
    return [
      `enable Billing for organizations (the Backend API answered: ${detail ?? String(err)})`,
    ];
  }
  const features = new Map(declaration.features.map((f) => [f.key, f.name]));
  const lines: string[] = [];
  for (const wanted of declaration.organization_plans) {
    const found = plans.find((p) => p.slug === wanted.key);
    if (!found) {
      lines.push(`create plan ${planSummary(wanted, features)}`);
      continue;
    }
    const differs: string[] = [];
    if ((found.fee?.amount ?? 0) !== wanted.monthly_fee) differs.push("monthly fee");
    if ((found.annualMonthlyFee?.amount ?? 0) !== wanted.annual_monthly_fee) {
      differs.push("annual fee");
    }
    if (found.isDefault !== wanted.default) differs.push("default");
    const has = new Set(found.features.map((f) => f.slug));
    const missing = wanted.features.filter((key) => !has.has(key));
    const extra = [...has].filter((key) => !wanted.features.includes(key));
    if (missing.length > 0) differs.push(`missing features ${missing.join(", ")}`);
    if (extra.length > 0) differs.push(`features not in the file ${extra.join(", ")}`);
    if (differs.length > 0) {
      lines.push(
        `change plan ${wanted.key} (${differs.join("; ")}) to ${planSummary(wanted, features)}`,
      );
    }
  }
  return lines;
}
