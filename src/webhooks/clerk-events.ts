import { z } from "zod";
import {
  PaymentAttemptEventJson,
  type PaymentSnapshot,
  SubscriptionEventJson,
  SubscriptionItemEventJson,
  type SubscriptionItemSnapshot,
} from "./billing-events";
import { storableText, storableTimestamp } from "./storable";

// Clerk's events (and its Backend API objects, which have the same shapes) reduced to what this app
// keeps, per Clerk's webhook specification (emulator/openapi/webhooks-2025-04-15.yml). Only the
// fields used are checked; anything else Clerk adds is ignored, so new fields never break the sync.

// Strings and timestamps as the database can store them (src/webhooks/storable.ts).
const text = storableText;
const timestamp = storableTimestamp;
// Clerk sends "" as well as null for "no image".
const imageUrl = text.nullish().transform((url) => url || null);
const id = text.pipe(z.string().min(1));

export const ClerkUserJson = z
  .object({
    id,
    primary_email_address_id: text.nullable(),
    email_addresses: z.array(z.object({ id: text, email_address: text })),
    first_name: text.nullable(),
    last_name: text.nullable(),
    image_url: imageUrl,
    last_sign_in_at: timestamp.nullable(),
    updated_at: timestamp,
  })
  .transform((u) => ({
    id: u.id,
    email:
      u.email_addresses.find((e) => e.id === u.primary_email_address_id)?.email_address ?? null,
    firstName: u.first_name,
    lastName: u.last_name,
    imageUrl: u.image_url,
    lastSignInAt: u.last_sign_in_at,
    updatedAt: u.updated_at,
  }));

const organizationFields = { id, name: text, slug: text, image_url: imageUrl };

export const ClerkOrganizationJson = z
  .object({ ...organizationFields, updated_at: timestamp })
  .transform((o) => ({
    id: o.id,
    name: o.name,
    slug: o.slug,
    imageUrl: o.image_url,
    updatedAt: o.updated_at,
  }));

// A membership event embeds its organization and public data about its user: enough to create
// placeholder rows when it arrives before the organization's or the user's own events.
export const ClerkMembershipJson = z
  .object({
    id,
    role: text,
    organization: z.object(organizationFields),
    public_user_data: z.object({
      user_id: id,
      first_name: text.nullable(),
      last_name: text.nullable(),
      image_url: imageUrl,
      // The user's primary email address or other identifier.
      identifier: text.nullish(),
    }),
    updated_at: timestamp,
  })
  .transform((m) => ({
    id: m.id,
    organizationId: m.organization.id,
    userId: m.public_user_data.user_id,
    role: m.role,
    updatedAt: m.updated_at,
    organization: {
      name: m.organization.name,
      slug: m.organization.slug,
      imageUrl: m.organization.image_url,
    },
    user: {
      firstName: m.public_user_data.first_name,
      lastName: m.public_user_data.last_name,
      imageUrl: m.public_user_data.image_url,
      identifier: m.public_user_data.identifier || null,
    },
  }));

// An invitation to an organization. The database keeps no invitations (a membership event follows
// an accepted one); the audit log records who sent, accepted or revoked it. `inviter_id` is null
// for invitations made through the Backend API without one; `user_id` is the user who accepted.
export const ClerkInvitationJson = z
  .object({
    id,
    organization_id: id,
    email_address: text,
    role: text,
    inviter_id: text.nullish(),
    user_id: text.nullish(),
    updated_at: timestamp,
  })
  .transform((i) => ({
    id: i.id,
    organizationId: i.organization_id,
    emailAddress: i.email_address,
    role: i.role,
    inviterId: i.inviter_id ?? null,
    acceptedBy: i.user_id ?? null,
    updatedAt: i.updated_at,
  }));

// An organization's email domain (organizationDomain.created/updated). Verified is what
// matters to the app; its enrollment mode says how people with an address there join.
export const ClerkDomainJson = z
  .object({
    id,
    organization_id: id,
    name: text,
    enrollment_mode: text,
    verification: z.object({ status: text }).nullable(),
    updated_at: timestamp,
  })
  .transform((d) => ({
    id: d.id,
    organizationId: d.organization_id,
    name: d.name,
    enrollmentMode: d.enrollment_mode,
    verified: d.verification?.status === "verified",
    updatedAt: d.updated_at,
  }));

// Delete events carry no timestamp, only the id.
const DeletedJson = z.object({ id });

// `actor`: who impersonates the user in this session (an actor token's), if anyone.
const SessionJson = z.object({
  user_id: id,
  created_at: timestamp,
  actor: z.looseObject({ sub: z.string() }).nullish(),
});

export type UserSnapshot = z.output<typeof ClerkUserJson>;
export type OrganizationSnapshot = z.output<typeof ClerkOrganizationJson>;
export type MembershipSnapshot = z.output<typeof ClerkMembershipJson>;
export type InvitationSnapshot = z.output<typeof ClerkInvitationJson>;
export type DomainSnapshot = z.output<typeof ClerkDomainJson>;
export type InvitationEvent = "created" | "accepted" | "revoked";

// What an event asks of the database.
export type ClerkChange =
  | { kind: "user-upserted"; user: UserSnapshot }
  | { kind: "user-deleted"; userId: string }
  | { kind: "organization-upserted"; organization: OrganizationSnapshot }
  | { kind: "organization-deleted"; organizationId: string }
  | { kind: "membership-upserted"; membership: MembershipSnapshot }
  | { kind: "membership-deleted"; membership: MembershipSnapshot }
  | { kind: "signed-in"; userId: string; at: Date; impersonatorId: string | null }
  | { kind: "invitation-changed"; event: InvitationEvent; invitation: InvitationSnapshot }
  | { kind: "domain-upserted"; created: boolean; domain: DomainSnapshot }
  | { kind: "domain-deleted"; domainId: string }
  // Clerk Billing: a subscription with its items, one item, a payment. Null: a user's, not an
  // organization's.
  | { kind: "subscription-changed"; items: SubscriptionItemSnapshot[] }
  | { kind: "subscription-item-changed"; event: string; item: SubscriptionItemSnapshot | null }
  | { kind: "payment-attempted"; payment: PaymentSnapshot | null };

const userUpserted = ClerkUserJson.transform((user) => ({ kind: "user-upserted" as const, user }));
const organizationUpserted = ClerkOrganizationJson.transform((organization) => ({
  kind: "organization-upserted" as const,
  organization,
}));

const invitationChanged = (event: InvitationEvent) =>
  ClerkInvitationJson.transform((invitation) => ({
    kind: "invitation-changed" as const,
    event,
    invitation,
  }));

const subscriptionChanged = SubscriptionEventJson.transform((items) => ({
  kind: "subscription-changed" as const,
  items,
}));

// `event` is the event type's second half, e.g. "active" or "pastDue".
const subscriptionItemChanged = (event: string) =>
  SubscriptionItemEventJson.transform((item) => ({
    kind: "subscription-item-changed" as const,
    event,
    item,
  }));

const paymentAttempted = PaymentAttemptEventJson.transform((payment) => ({
  kind: "payment-attempted" as const,
  payment,
}));

// Every subscription item event of Clerk's webhook specification.
const SUBSCRIPTION_ITEM_EVENTS = [
  "abandoned",
  "active",
  "canceled",
  "ended",
  "freeTrialEnding",
  "incomplete",
  "pastDue",
  "upcoming",
  "updated",
];

// The `data` of each event type this app handles, and the change it makes.
const HANDLED_EVENTS: Record<string, z.ZodType<ClerkChange>> = {
  "user.created": userUpserted,
  "user.updated": userUpserted,
  "user.deleted": DeletedJson.transform((d) => ({ kind: "user-deleted" as const, userId: d.id })),
  "organization.created": organizationUpserted,
  "organization.updated": organizationUpserted,
  "organization.deleted": DeletedJson.transform((d) => ({
    kind: "organization-deleted" as const,
    organizationId: d.id,
  })),
  "organizationMembership.created": ClerkMembershipJson.transform((membership) => ({
    kind: "membership-upserted" as const,
    membership,
  })),
  "organizationMembership.updated": ClerkMembershipJson.transform((membership) => ({
    kind: "membership-upserted" as const,
    membership,
  })),
  "organizationMembership.deleted": ClerkMembershipJson.transform((membership) => ({
    kind: "membership-deleted" as const,
    membership,
  })),
  "organizationInvitation.created": invitationChanged("created"),
  "organizationInvitation.accepted": invitationChanged("accepted"),
  "organizationInvitation.revoked": invitationChanged("revoked"),
  "organizationDomain.created": ClerkDomainJson.transform((domain) => ({
    kind: "domain-upserted" as const,
    created: true,
    domain,
  })),
  "organizationDomain.updated": ClerkDomainJson.transform((domain) => ({
    kind: "domain-upserted" as const,
    created: false,
    domain,
  })),
  "organizationDomain.deleted": DeletedJson.transform((d) => ({
    kind: "domain-deleted" as const,
    domainId: d.id,
  })),
  "session.created": SessionJson.transform((s) => ({
    kind: "signed-in" as const,
    userId: s.user_id,
    at: s.created_at,
    impersonatorId: s.actor?.sub ?? null,
  })),
  "subscription.created": subscriptionChanged,
  "subscription.updated": subscriptionChanged,
  "subscription.active": subscriptionChanged,
  "subscription.pastDue": subscriptionChanged,
  ...Object.fromEntries(
    SUBSCRIPTION_ITEM_EVENTS.map((e) => [`subscriptionItem.${e}`, subscriptionItemChanged(e)]),
  ),
  "paymentAttempt.created": paymentAttempted,
  "paymentAttempt.updated": paymentAttempted,
};

export type EventIssue = { path: string; message: string };

export type ParsedClerkEvent =
  | { kind: "handled"; type: string; change: ClerkChange }
  | { kind: "unhandled"; type: string }
  | { kind: "malformed"; type: string | null; issues: EventIssue[] };

function issuesOf(error: z.ZodError): EventIssue[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

// Built once: zod compiles an object schema the first time it parses with it, which costs more
// than the parse itself.
const Envelope = z.object({ type: z.string().min(1) });
const HANDLED_ENVELOPES = new Map(
  Object.entries(HANDLED_EVENTS).map(([type, data]) => [type, z.object({ data })]),
);

// A verified payload: an event this app handles (with its change), one it does not, or one it
// should handle but cannot read.
export function parseClerkEvent(payload: unknown): ParsedClerkEvent {
  const envelope = Envelope.safeParse(payload);
  if (!envelope.success) {
    return { kind: "malformed", type: null, issues: issuesOf(envelope.error) };
  }
  const { type } = envelope.data;
  const schema = HANDLED_ENVELOPES.get(type);
  if (!schema) return { kind: "unhandled", type };
  const event = schema.safeParse(payload);
  if (!event.success) return { kind: "malformed", type, issues: issuesOf(event.error) };
  return { kind: "handled", type, change: event.data.data };
}
