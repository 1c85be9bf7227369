import type { BillingPlansDeclaration } from "../../clerk/billing-plans";
import type { OrganizationRolesDeclaration } from "../../clerk/organization-roles";
import type { EmulatorConfig } from "./config";
import type { SigningKey } from "./crypto/signing-key";
import type { Store } from "./store/store";
import type { WebhookDispatcher } from "./webhooks/dispatcher";

// What every domain operation needs. One Core per running emulator.
export type Core = {
  config: EmulatorConfig;
  store: Store;
  signingKey: SigningKey;
  webhooks: WebhookDispatcher;
  // clerk/organization-roles.json as read at start: what a fresh (or reset) instance begins with.
  organizationRoles: OrganizationRolesDeclaration;
  // clerk/billing-plans.json as read at start: the plans a fresh (or reset) instance offers.
  billingPlans: BillingPlansDeclaration;
  now: () => number;
  log: (line: string) => void;
};

// The request that caused a change: Clerk reports it in each webhook's `event_attributes`.
export type Origin = { clientIp: string; userAgent: string };

export type Ctx = { core: Core; origin: Origin };
