import type { AuditEvent } from "@/db/schema";

// One line saying what an audit event changed, for people (the Activity page). `names` maps user
// ids to display names.

function text(changes: Record<string, unknown>, key: string): string | null {
  const value = changes[key];
  return typeof value === "string" ? value : null;
}

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const dayOf = (iso: string | null) => (iso ? day.format(new Date(iso)) : null);

const quoted = (value: string | null) => (value === null ? "(none)" : `“${value}”`);
const role = (value: string | null) => value?.replace(/^org:/, "") ?? "unknown";

export function summarizeAuditEvent(
  event: Pick<AuditEvent, "kind" | "changes" | "targetId">,
  names: Map<string, string>,
): string {
  const c = event.changes;
  const plan = () => text(c, "plan_name") ?? text(c, "plan") ?? "a plan";
  const billed = () => (text(c, "interval") === "annual" ? "billed annually" : "billed monthly");
  const member = () => {
    const id = text(c, "user_id");
    return id ? (names.get(id) ?? id) : event.targetId;
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
    case "invitation.created":
      return `${text(c, "email_address")} as ${role(text(c, "role"))}`;
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
  }
}
