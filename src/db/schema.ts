import { relations, sql } from "drizzle-orm";
import {
  boolean,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { AuditKind } from "@/audit/audit-kinds";

// Clerk ids are the primary keys of the synced tables. `clerk_updated_at` is the `updated_at` of
// the Clerk object a row was last written from: webhook upserts only move it forward, so an older
// event can never overwrite newer data. `deleted_at` is a tombstone: Clerk's delete events carry
// no timestamp, and a late created/updated event must not bring a deleted row back.
const syncColumns = {
  clerkUpdatedAt: timestamp("clerk_updated_at", { withTimezone: true }),
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email"),
  firstName: text("first_name"),
  lastName: text("last_name"),
  imageUrl: text("image_url"),
  lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
  ...syncColumns,
});

export const organizations = pgTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name"),
    slug: text("slug"),
    imageUrl: text("image_url"),
    ...syncColumns,
  },
  (t) => [index("organizations_slug_idx").on(t.slug)],
);

export const organizationMemberships = pgTable(
  "organization_memberships",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role"),
    ...syncColumns,
  },
  (t) => [
    uniqueIndex("organization_memberships_org_user_idx").on(t.organizationId, t.userId),
    index("organization_memberships_user_idx").on(t.userId),
  ],
);

// An organization's email domains (Clerk's verified domains), as organizationDomain.* webhooks
// describe them: the dashboard says how people at them join. The organization is unknown only for
// a tombstone written from a deletion that arrived first.
export const organizationDomains = pgTable(
  "organization_domains",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").references(() => organizations.id),
    name: text("name"),
    enrollmentMode: text("enrollment_mode"),
    verified: boolean("verified").notNull().default(false),
    ...syncColumns,
  },
  (t) => [index("organization_domains_org_idx").on(t.organizationId)],
);

// One row per processed Svix message: inserting it in the same transaction as the event's writes
// is what makes a redelivery a no-op.
export const webhookEvents = pgTable("webhook_events", {
  svixId: text("svix_id").primaryKey(),
  eventType: text("event_type").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});

// The example domain. `tenant_id` is an organization id, or a user id for a personal workspace.
export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("projects_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

// Who did what in a tenant (an organization id, or the user id of a personal workspace). Each row
// is written in the transaction of the change it records (src/audit/audit-log.ts), so a change
// and its record commit or fail together. `actor_type` is "user", "api_key", "machine" (a Clerk
// machine of this deployment), "oauth_app" (a user via a third-party application: `actor_id` the
// user, `actor_name` "<user> via <application>") or "clerk" (a webhook whose payload does not say who acted); `changes` is a small JSON of what changed, never a secret.
// `request_id` and `client_address` are those of the app request that made the change (a webhook
// delivery's request id, and no address, for changes that came from Clerk).
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    tenantId: text("tenant_id").notNull(),
    kind: text("kind").$type<AuditKind>().notNull(),
    actorType: text("actor_type")
      .$type<"user" | "api_key" | "machine" | "oauth_app" | "clerk">()
      .notNull(),
    actorId: text("actor_id"),
    // Display names as they were when the event was recorded (an API key's name, a user's name or
    // email; the member a membership event is about), so the log stays readable after a user is
    // deleted and their synced row cleared.
    actorName: text("actor_name"),
    // The Clerk user who made the change as the actor (an impersonation session), if anyone.
    impersonatorId: text("impersonator_id"),
    subjectName: text("subject_name"),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    changes: jsonb("changes").$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    requestId: text("request_id"),
    clientAddress: text("client_address"),
  },
  (t) => [
    index("audit_events_tenant_occurred_idx").on(t.tenantId, t.occurredAt, t.id),
    index("audit_events_tenant_kind_occurred_idx").on(t.tenantId, t.kind, t.occurredAt, t.id),
  ],
);

// The organizations' Clerk Billing subscriptions, one row per subscription item (a plan for a
// period: active, upcoming, canceled until its period ends, ended...), as Clerk's billing webhooks
// and its Backend API describe them. `clerk_updated_at` orders the writes, as for the tables
// above: an older event never overwrites a newer state of an item. The plan an organization is on
// is its item in force (src/billing/organization-plan.ts); the session token says the same for
// signed-in users, this table does for API keys, which carry no claims.
export const subscriptionItems = pgTable(
  "subscription_items",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    organizationId: text("organization_id").notNull(),
    planSlug: text("plan_slug"),
    planName: text("plan_name"),
    interval: text("interval").notNull(),
    status: text("status").notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }),
    clerkUpdatedAt: timestamp("clerk_updated_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("subscription_items_org_idx").on(t.organizationId, t.periodStart)],
);

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(organizationMemberships),
}));

// The third-party applications a user has connected to this app through Clerk's OAuth server, as
// the app has seen them act (Clerk's APIs list no user's grants): one row per user and OAuth
// client, written when one of its tokens is used. `revoked_at`: the user disconnected it in
// settings; the app refuses that application's tokens issued before then (a new consent issues
// new ones).
export const oauthConnections = pgTable(
  "oauth_connections",
  {
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    appName: text("app_name").notNull(),
    organizationId: text("organization_id"),
    scopes: text("scopes").array().notNull(),
    connectedAt: timestamp("connected_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientId] })],
);

export const organizationsRelations = relations(organizations, ({ many }) => ({
  memberships: many(organizationMemberships),
}));

export const organizationMembershipsRelations = relations(organizationMemberships, ({ one }) => ({
  organization: one(organizations, {
    fields: [organizationMemberships.organizationId],
    references: [organizations.id],
  }),
  user: one(users, { fields: [organizationMemberships.userId], references: [users.id] }),
}));

export type User = typeof users.$inferSelect;
export type Organization = typeof organizations.$inferSelect;
export type OrganizationMembership = typeof organizationMemberships.$inferSelect;
export type OrganizationDomain = typeof organizationDomains.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
export type SubscriptionItem = typeof subscriptionItems.$inferSelect;
export type OAuthConnection = typeof oauthConnections.$inferSelect;
