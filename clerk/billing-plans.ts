import { z } from "zod";
import declared from "./billing-plans.json" with { type: "json" };

// The organization plans of Clerk Billing, declared once in billing-plans.json: the emulator
// seeds a fresh instance from it, `npm run clerk:configure` checks a Clerk instance against it
// (plans and features are created in the Dashboard: Clerk's Backend API cannot), and the app reads
// it, bundled, to know which plans unlock what (src/auth/authorize.ts). Clerk knows a plan's features and
// its seat limit; `limits` are the app's own numbers per plan, which Clerk never sees.

// Clerk's slugs: lowercase letters, digits and underscores.
const KEY = /^[a-z][a-z0-9_]*$/;
// Fees in cents, as Clerk's API reports them.
const Cents = z.number().int().min(0).max(10_000_000);

const FeatureSchema = z
  .object({
    key: z.string().regex(KEY, "must be lowercase letters, digits and underscores"),
    name: z.string().trim().min(1).max(256),
    description: z.string().trim().min(1).max(1000),
  })
  .strict();

const PlanSchema = z
  .object({
    key: z.string().regex(KEY, "must be lowercase letters, digits and underscores"),
    name: z.string().trim().min(1).max(256),
    description: z.string().trim().min(1).max(1000),
    // The plan every organization is on until it subscribes to another (Clerk's default plan).
    default: z.boolean().default(false),
    monthly_fee: Cents,
    // The monthly price when billed annually (Clerk bills 12 times it once a year).
    annual_monthly_fee: Cents,
    // The organization's member limit on this plan (Clerk's seat limit, which Clerk enforces).
    seats: z.number().int().min(1).max(100_000),
    features: z.array(z.string()),
    limits: z
      .object({
        // null: no limit.
        projects: z.number().int().min(0).nullable(),
        api_requests_per_minute: z.number().int().min(1),
      })
      .strict(),
  })
  .strict();

const DeclarationSchema = z
  .object({
    currency: z.literal("USD"),
    features: z.array(FeatureSchema),
    organization_plans: z.array(PlanSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const features = new Set<string>();
    file.features.forEach((f, i) => {
      if (features.has(f.key)) issue(["features", i, "key"], `${f.key} is declared twice`);
      features.add(f.key);
    });
    const plans = new Set<string>();
    file.organization_plans.forEach((plan, i) => {
      if (plans.has(plan.key)) issue(["organization_plans", i, "key"], `${plan.key} twice`);
      plans.add(plan.key);
      plan.features.forEach((key, j) => {
        if (!features.has(key)) {
          issue(["organization_plans", i, "features", j], `${key} is not declared in "features"`);
        }
      });
      const free = plan.monthly_fee === 0 && plan.annual_monthly_fee === 0;
      if (plan.default && !free) {
        issue(["organization_plans", i], "the default plan must be free, as Clerk's is");
      }
      if (plan.annual_monthly_fee > plan.monthly_fee) {
        issue(["organization_plans", i, "annual_monthly_fee"], "must not exceed monthly_fee");
      }
    });
    if (file.organization_plans.filter((p) => p.default).length !== 1) {
      issue(["organization_plans"], "exactly one plan must be the default");
    }
  });

export type BillingPlansDeclaration = z.infer<typeof DeclarationSchema>;
export type DeclaredPlan = BillingPlansDeclaration["organization_plans"][number];
export type DeclaredFeature = BillingPlansDeclaration["features"][number];

export class BillingPlansFileError extends Error {}

export function parseBillingPlans(
  raw: unknown,
  file = "clerk/billing-plans.json",
): BillingPlansDeclaration {
  const parsed = DeclarationSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new BillingPlansFileError(`invalid billing plans ${file}:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

// The repository's declaration, for code that is bundled (the app) rather than pointed at a file.
export const BILLING_PLANS: BillingPlansDeclaration = parseBillingPlans(declared);

export function defaultPlan(plans: BillingPlansDeclaration): DeclaredPlan {
  return plans.organization_plans.find((p) => p.default) as DeclaredPlan;
}
