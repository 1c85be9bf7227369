import type { AuditEvent } from "@/db/schema";

// One line saying what an audit event changed, for people (the Activity page). The member an event
// is about is named as when it was recorded; `names` (user ids to display names, as synced now)
// covers rows recorded without one.

function text(changes: Record<string, unknown>, key: string): string | null {
  const value = changes[key];
  return typeof value === "string" ? value : null;
}

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const dayOf = (iso: string | null) => (iso ? day.format(new Date(iso)) : null);

const quoted = (value: string | null) => (value === null ? "(none)" : `“${value}”`);
const role = (value: string | null) => value?.replace(/^org:/, "") ?? "unknown";

// How people with an address at a verified domain join, in the words of Clerk's UI.
const ENROLLMENT: Record<string, string> = {
  manual_invitation: "no automatic enrollment",
  automatic_invitation: "automatic invitations",
  automatic_suggestion: "automatic suggestions (people ask to join, an admin approves)",
};
const enrollment = (mode: string | null) => (mode ? (ENROLLMENT[mode] ?? mode) : "unknown");

// "acme.test verified; automatic suggestions (was no automatic enrollment)".
function domainChange(c: Record<string, unknown>, targetId: string): string {
  const name = text(c, "name") ?? targetId;
  const previousMode = text(c, "previous_enrollment_mode");
  const parts: string[] = [];
  if (c.verified !== c.previous_verified)
    parts.push(c.verified ? "verified" : "no longer verified");
  if (text(c, "enrollment_mode") !== previousMode) {
    const mode = enrollment(text(c, "enrollment_mode"));
    parts.push(previousMode ? `${mode} (was ${enrollment(previousMode)})` : mode);
  }
  return `${name}: ${parts.join("; ")}`;
}

export function summarizeAuditEvent(
  event: Pick<AuditEvent, "kind" | "changes" | "targetId" | "subjectName">,
  names: Map<string, string>,
): string {
  const c = event.changes;
  const plan = () => text(c, "plan_name") ?? text(c, "plan") ?? "a plan";
  const billed = () => (text(c, "interval") === "annual" ? "billed annually" : "billed monthly");
  const member = () => {
    const id = text(c, "user_id");
    return event.subjectName ?? (id ? (names.get(id) ?? id) : event.targetId);
  };
  switch (event.kind) {
    case "project.created":
    case "project.deleted":
      return quoted(text(c, "name"));
    case "project.updated":
      return Object.keys(c)
        .map((field) =>
          c[field] === null ? `${field} cleared` : `${field} → ${quoted(text(c, field))}`,
        )
        .join(", ");
    case "api_key.created": {
      const scopes = Array.isArray(c.scopes) ? c.scopes.join(", ") : "";
      const expires = text(c, "expires_at");
      return `${quoted(text(c, "name"))} with ${scopes || "no scopes"}, ${
        expires ? `expires ${expires.slice(0, 10)}` : "never expires"
      }`;
    }
    case "api_key.revoked":
      return quoted(text(c, "name"));
    case "membership.created":
      return `${member()} as ${role(text(c, "role"))}`;
    case "membership.role_changed": {
      const previous = text(c, "previous_role");
      return previous
        ? `${member()}: ${role(previous)} → ${role(text(c, "role"))}`
        : `${member()}: now ${role(text(c, "role"))}`;
    }
    case "membership.deleted":
      return member();
    case "invitation.created": {
      const domain = text(c, "domain");
      const invited = `${text(c, "email_address")} as ${role(text(c, "role"))}`;
      return domain ? `${invited}, automatically (an address at ${domain})` : invited;
    }
    case "domain.added":
      return `${text(c, "name") ?? event.targetId}: ${
        c.verified === true ? "verified" : "not verified yet"
      }, ${enrollment(text(c, "enrollment_mode"))}`;
    case "domain.updated":
      return domainChange(c, event.targetId);
    case "domain.removed":
      return text(c, "name") ?? event.targetId;
    case "invitation.accepted":
    case "invitation.revoked":
      return text(c, "email_address") ?? event.targetId;
    case "plan.started": {
      const until = dayOf(text(c, "period_end"));
      // A free plan has no period: it lasts until another starts.
      return until ? `${plan()}, ${billed()}, until ${until}` : plan();
    }
    case "plan.scheduled":
      return `${plan()} from ${dayOf(text(c, "period_start"))}`;
    case "plan.canceled": {
      const until = dayOf(text(c, "period_end"));
      return until ? `${plan()}, in force until ${until}` : plan();
    }
    case "plan.ended":
    case "plan.past_due":
      return plan();
    case "payment.paid":
    case "payment.failed": {
      const what = [text(c, "amount"), text(c, "plan_name") && `for ${text(c, "plan_name")}`]
        .filter(Boolean)
        .join(" ");
      const card = text(c, "card");
      const reason = text(c, "failed_reason");
      return `${what}${card ? `, ${card}` : ""}${reason ? ` (${reason})` : ""}`;
    }
    case "oauth_app.disconnected":
    case "oauth_app.reconnected": {
      // The access the application had (or has again), as the Connected apps page shows it:
      // without Clerk's `user:org:read`, which only let the consent screen ask for an organization.
      const scopes = Array.isArray(c.scopes) ? c.scopes.filter((s) => s !== "user:org:read") : [];
      return `${quoted(text(c, "name"))} with ${scopes.join(", ") || "no scopes"}`;
    }
  }
}
