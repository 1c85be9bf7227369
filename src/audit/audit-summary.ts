import type { AuditEvent } from "@/db/schema";

// One line saying what an audit event changed, for people (the Activity page). The member an event
// is about is named as when it was recorded; `names` (user ids to display names, as synced now)
// covers rows recorded without one.

function text(changes: Record<string, unknown>, key: string): string | null {
  const value = changes[key];
  return typeof value === "string" ? value : null;
}

const quoted = (value: string | null) => (value === null ? "(none)" : `“${value}”`);
const role = (value: string | null) => value?.replace(/^org:/, "") ?? "unknown";

export function summarizeAuditEvent(
  event: Pick<AuditEvent, "kind" | "changes" | "targetId" | "subjectName">,
  names: Map<string, string>,
): string {
  const c = event.changes;
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
    case "invitation.created":
      return `${text(c, "email_address")} as ${role(text(c, "role"))}`;
    case "invitation.accepted":
    case "invitation.revoked":
      return text(c, "email_address") ?? event.targetId;
  }
}
