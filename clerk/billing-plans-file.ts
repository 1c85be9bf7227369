import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type BillingPlansDeclaration,
  BillingPlansFileError,
  parseBillingPlans,
} from "./billing-plans";

// Reading the plans from a file (the emulator's EMULATOR_BILLING_PLANS, `npm run clerk:configure`);
// kept apart from billing-plans.ts, which the app bundles.
export const BILLING_PLANS_FILE = fileURLToPath(new URL("./billing-plans.json", import.meta.url));

export function readBillingPlans(file = BILLING_PLANS_FILE): BillingPlansDeclaration {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new BillingPlansFileError(`cannot read billing plans ${file}: ${(err as Error).message}`);
  }
  return parseBillingPlans(raw, file);
}
