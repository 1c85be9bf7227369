// The kinds of change the audit log records: stable dotted names that API clients filter on and
// store, so a kind is never renamed, only added. Free of server code: the Activity page's filter
// lists them too.
export const AUDIT_KINDS = [
  "project.created",
  "project.updated",
  "project.deleted",
  "api_key.created",
  "api_key.revoked",
  "membership.created",
  "membership.role_changed",
  "membership.deleted",
  "invitation.created",
  "invitation.accepted",
  "invitation.revoked",
  "domain.added",
  "domain.updated",
  "domain.removed",
  "plan.started",
  "plan.scheduled",
  "plan.canceled",
  "plan.ended",
  "plan.past_due",
  "payment.paid",
  "payment.failed",
  "oauth_app.disconnected",
  "oauth_app.reconnected",
] as const;

export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AUDIT_KIND_LABELS: Record<AuditKind, string> = {
  "project.created": "Project created",
  "project.updated": "Project updated",
  "project.deleted": "Project deleted",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "membership.created": "Member added",
  "membership.role_changed": "Member's role changed",
  "membership.deleted": "Member removed",
  "invitation.created": "Invitation sent",
  "invitation.accepted": "Invitation accepted",
  "invitation.revoked": "Invitation revoked",
  "domain.added": "Domain added",
  "domain.updated": "Domain changed",
  "domain.removed": "Domain removed",
  "plan.started": "Plan started",
  "plan.scheduled": "Plan change scheduled",
  "plan.canceled": "Plan canceled",
  "plan.ended": "Plan ended",
  "plan.past_due": "Plan payment overdue",
  "payment.paid": "Payment received",
  "payment.failed": "Payment failed",
  "oauth_app.disconnected": "App disconnected",
  "oauth_app.reconnected": "App reconnected",
};

export function isAuditKind(kind: string): kind is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(kind);
}

// Changes Clerk Billing makes (after an admin's checkout, or as a billing period ends): their actor
// is Clerk's billing, not a person.
export function isBillingKind(kind: AuditKind): boolean {
  return kind.startsWith("plan.") || kind.startsWith("payment.");
}
