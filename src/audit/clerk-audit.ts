import { and, eq, isNull } from "drizzle-orm";
import { organizationDomains, organizationMemberships } from "@/db/schema";
import type { PaymentSnapshot, SubscriptionItemSnapshot } from "@/webhooks/billing-events";
import type { ClerkChange, DomainSnapshot, MembershipSnapshot } from "@/webhooks/clerk-events";
import type { Transaction } from "@/webhooks/clerk-sync";
import { type AuditActor, type AuditRecord, recordAuditEvents } from "./audit-log";

// What the audit log records of Clerk's webhook events: memberships added, whose role changed,
// removed; invitations sent (an automatic one of a verified domain names it), accepted, revoked;
// domains added, verified or given another enrollment mode, removed; the organization's plan
// started, scheduled, canceled, ended or overdue, and its payments (Clerk Billing). Clerk sends no
// event for a membership request: the membership an approved one creates is recorded as any
// other. Called inside the event's transaction, after its svix-id was recorded, so a redelivery
// records nothing more; and before the event's own writes, so a role change can be compared with
// the role stored until then.

const CLERK: AuditActor = { type: "clerk" };

// Events' records (one, or a batch of deliveries: src/webhooks/clerk-batch.ts), each read against
// the rows as they are before any of their writes, in one insert.
export async function recordClerkEvents(
  tx: Transaction,
  deliveries: { eventType: string; requestId: string | null; change: ClerkChange }[],
): Promise<void> {
  const entries: Parameters<typeof recordAuditEvents>[1] = [];
  for (const { eventType, requestId, change } of deliveries) {
    const event = await auditedEvent(tx, eventType, change);
    if (!event) continue;
    // The address a webhook comes from is Svix's, which says nothing about who made the change.
    entries.push({
      source: { actor: event.actor, requestId, clientAddress: null },
      record: event.record,
    });
  }
  await recordAuditEvents(tx, entries);
}

type AuditedEvent = { actor: AuditActor; record: AuditRecord };

async function auditedEvent(
  tx: Transaction,
  eventType: string,
  change: ClerkChange,
): Promise<AuditedEvent | null> {
  if (change.kind === "invitation-changed") {
    const i = change.invitation;
    // Clerk's payload names who sent an invitation (when a user did) and who accepted it, but not
    // who revoked it.
    const actorId =
      change.event === "created" ? i.inviterId : change.event === "accepted" ? i.acceptedBy : null;
    // Sent by nobody: a verified domain's automatic invitation, when the address is at one.
    const domain =
      change.event === "created" && !i.inviterId
        ? await verifiedDomainOf(tx, i.organizationId, i.emailAddress)
        : null;
    return {
      actor: actorId ? { type: "user", id: actorId } : CLERK,
      record: {
        tenantId: i.organizationId,
        kind: `invitation.${change.event}`,
        target: { type: "invitation", id: i.id },
        changes: {
          email_address: i.emailAddress,
          role: i.role,
          ...(change.event === "accepted" && { user_id: i.acceptedBy }),
          ...(domain && { domain }),
        },
        occurredAt: i.updatedAt,
      },
    };
  }
  if (change.kind === "domain-upserted") return domainEvent(tx, change.created, change.domain);
  if (change.kind === "domain-deleted") {
    const [row] = await tx
      .select({
        organizationId: organizationDomains.organizationId,
        name: organizationDomains.name,
      })
      .from(organizationDomains)
      .where(
        and(eq(organizationDomains.id, change.domainId), isNull(organizationDomains.deletedAt)),
      );
    // A domain the database never saw belongs to no tenant it knows.
    if (!row?.organizationId) return null;
    return {
      actor: CLERK,
      record: {
        tenantId: row.organizationId,
        kind: "domain.removed",
        target: { type: "domain", id: change.domainId },
        changes: { name: row.name },
      },
    };
  }
  if (change.kind === "membership-upserted" && eventType === "organizationMembership.created") {
    return { actor: CLERK, record: membershipRecord("membership.created", change.membership) };
  }
  if (change.kind === "membership-upserted" && eventType === "organizationMembership.updated") {
    const previousRole = await storedRoleBefore(tx, change.membership);
    // An update that leaves the role as it was (Clerk also sends one for metadata) is no role change.
    if (previousRole === change.membership.role) return null;
    const record = membershipRecord("membership.role_changed", change.membership);
    return {
      actor: CLERK,
      record: { ...record, changes: { ...record.changes, previous_role: previousRole } },
    };
  }
  if (change.kind === "subscription-item-changed" && change.item) {
    const kind = PLAN_EVENTS[change.event];
    return kind ? { actor: CLERK, record: planRecord(kind, change.item) } : null;
  }
  if (change.kind === "payment-attempted" && change.payment) {
    // A payment's outcome is in its update; its creation is only the attempt starting.
    const kind = PAYMENT_OUTCOMES[change.payment.status];
    if (eventType !== "paymentAttempt.updated" || !kind) return null;
    return { actor: CLERK, record: paymentRecord(kind, change.payment) };
  }
  if (change.kind === "membership-deleted") {
    // The payload's updated_at is the membership's last change, not its removal: the time is now.
    const { occurredAt: _last, ...record } = membershipRecord(
      "membership.deleted",
      change.membership,
    );
    return { actor: CLERK, record };
  }
  return null;
}

// The subscription item events that change what the organization pays for (the others, such as
// `updated` or `freeTrialEnding`, only update the stored item).
const PLAN_EVENTS: Record<string, AuditRecord["kind"]> = {
  active: "plan.started",
  upcoming: "plan.scheduled",
  canceled: "plan.canceled",
  ended: "plan.ended",
  pastDue: "plan.past_due",
};

const PAYMENT_OUTCOMES: Record<string, AuditRecord["kind"]> = {
  paid: "payment.paid",
  failed: "payment.failed",
};

function planRecord(kind: AuditRecord["kind"], item: SubscriptionItemSnapshot): AuditRecord {
  return {
    tenantId: item.organizationId,
    kind,
    target: { type: "subscription_item", id: item.id },
    changes: {
      plan: item.planSlug,
      plan_name: item.planName,
      interval: item.interval,
      period_start: item.periodStart.toISOString(),
      period_end: item.periodEnd?.toISOString() ?? null,
    },
    occurredAt: item.updatedAt,
  };
}

function paymentRecord(kind: AuditRecord["kind"], p: PaymentSnapshot): AuditRecord {
  return {
    tenantId: p.organizationId,
    kind,
    target: { type: "payment", id: p.id },
    changes: {
      amount: p.amount,
      plan_name: p.planName,
      card: p.card,
      charge_type: p.chargeType,
      ...(p.failedReason && { failed_reason: p.failedReason }),
    },
    occurredAt: p.updatedAt,
  };
}

function membershipRecord(
  kind: "membership.created" | "membership.role_changed" | "membership.deleted",
  m: MembershipSnapshot,
): AuditRecord {
  return {
    tenantId: m.organizationId,
    kind,
    target: { type: "membership", id: m.id },
    changes: { user_id: m.userId, role: m.role },
    occurredAt: m.updatedAt,
    subjectName:
      [m.user.firstName, m.user.lastName].filter(Boolean).join(" ") || m.user.identifier || null,
  };
}

// The role this membership had before the event, when the database knows it: the stored row is
// this membership's, live, and not newer than the event. Otherwise null: the previous role is not
// known (the change was delivered before the membership's addition, or processed alongside it).
async function storedRoleBefore(tx: Transaction, m: MembershipSnapshot): Promise<string | null> {
  const [row] = await tx
    .select({
      id: organizationMemberships.id,
      role: organizationMemberships.role,
      clerkUpdatedAt: organizationMemberships.clerkUpdatedAt,
      deletedAt: organizationMemberships.deletedAt,
    })
    .from(organizationMemberships)
    .where(eq(organizationMemberships.id, m.id));
  const known =
    row &&
    row.deletedAt === null &&
    row.clerkUpdatedAt !== null &&
    row.clerkUpdatedAt <= m.updatedAt;
  return known ? row.role : null;
}

// A domain added, or changed in what people see: its verification or its enrollment mode, compared
// with the row stored until now when it is this domain's, live and not newer (else unknown: null).
async function domainEvent(
  tx: Transaction,
  created: boolean,
  d: DomainSnapshot,
): Promise<AuditedEvent | null> {
  const state = { name: d.name, verified: d.verified, enrollment_mode: d.enrollmentMode };
  const record = (kind: "domain.added" | "domain.updated", changes: Record<string, unknown>) => ({
    actor: CLERK,
    record: {
      tenantId: d.organizationId,
      kind,
      target: { type: "domain", id: d.id },
      changes,
      occurredAt: d.updatedAt,
    },
  });
  if (created) return record("domain.added", state);
  const [row] = await tx
    .select({
      verified: organizationDomains.verified,
      enrollmentMode: organizationDomains.enrollmentMode,
      clerkUpdatedAt: organizationDomains.clerkUpdatedAt,
      deletedAt: organizationDomains.deletedAt,
    })
    .from(organizationDomains)
    .where(eq(organizationDomains.id, d.id));
  const known =
    row &&
    row.deletedAt === null &&
    row.clerkUpdatedAt !== null &&
    row.clerkUpdatedAt <= d.updatedAt;
  if (!known) {
    return record("domain.updated", {
      ...state,
      previous_verified: null,
      previous_enrollment_mode: null,
    });
  }
  // A step in between (a verification code sent) changes nothing people see.
  if (row.verified === d.verified && row.enrollmentMode === d.enrollmentMode) return null;
  return record("domain.updated", {
    ...state,
    previous_verified: row.verified,
    previous_enrollment_mode: row.enrollmentMode,
  });
}

// The organization's verified domain an address is at, if any.
async function verifiedDomainOf(
  tx: Transaction,
  organizationId: string,
  emailAddress: string,
): Promise<string | null> {
  const name = emailAddress.slice(emailAddress.lastIndexOf("@") + 1).toLowerCase();
  const [row] = await tx
    .select({ name: organizationDomains.name })
    .from(organizationDomains)
    .where(
      and(
        eq(organizationDomains.organizationId, organizationId),
        eq(organizationDomains.name, name),
        eq(organizationDomains.verified, true),
        isNull(organizationDomains.deletedAt),
      ),
    );
  return row?.name ?? null;
}
