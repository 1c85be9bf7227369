import type { BillingPlansDeclaration } from "../../clerk/billing-plans";
import type { InstanceSettings } from "../../clerk/instance-settings";
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
  // clerk/instance-settings.json as read at start, or as `npm run clerk:configure` last put it
  // (PUT /__emulator/instance_settings). What the instance offers is these, less what the emulator
  // cannot serve (domain/instance-settings.ts).
  instanceSettings: InstanceSettings;
  now: () => number;
  log: (line: string) => void;
};

// The request that caused a change: Clerk reports it in each webhook's `event_attributes`.
export type Origin = { clientIp: string; userAgent: string };

export type Ctx = { core: Core; origin: Origin };
