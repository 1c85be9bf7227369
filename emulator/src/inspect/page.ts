import type { Core } from "../core";
import { isUsable } from "../domain/api-keys";
import { invitationStatus } from "../domain/invitations";
import { isUsableToken } from "../domain/m2m-tokens";
import { membersCount } from "../domain/organizations";
import { permissionsOfRole } from "../domain/roles";
import { escapeHtml } from "../http/html";
import type { WebhookAttempt } from "../store/records";

const esc = escapeHtml;

const time = (ms: number | null) => (ms ? new Date(ms).toISOString().replace(".000Z", "Z") : "—");

// A cell is text, or a link to follow (an invitation's accept link).
type Cell = unknown | { href: string };
const isLink = (c: Cell): c is { href: string } =>
  typeof c === "object" && c !== null && "href" in c;
const cell = (c: Cell) => (isLink(c) ? `<a href="${esc(c.href)}">${esc(c.href)}</a>` : esc(c));

function table(title: string, headers: string[], rows: Cell[][]): string {
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const body = rows.length
    ? rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("")
    : `<tr><td colspan="${headers.length}" class="empty">None yet</td></tr>`;
  return `<section><h2>${esc(title)} <small>(${rows.length})</small></h2>
<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>`;
}

// An attempt's result: its status, and what the endpoint said it did when it said so in JSON
// (the app answers {"status":"processed" | "duplicate" | "ignored" | "rejected"}), or its error.
function attemptResult(a: WebhookAttempt): string {
  if (a.status === null) return a.error ?? "no answer";
  const said = /^\{"status":"(\w+)"/.exec(a.response ?? "")?.[1];
  return said ? `${a.status} ${said}` : String(a.status);
}

// A read-only view of the emulator's state, in the spirit of the Firebase emulator UI. It never
// shows a password hash, an API key secret or a machine's secret key and tokens.
export function renderInspectPage(core: Core): string {
  const { state } = core.store;
  const now = core.now();
  const email = (userId: string) => state.users[userId]?.emailAddresses[0]?.emailAddress ?? userId;
  const users = Object.values(state.users).map((u) => [
    u.id,
    u.emailAddresses.map((e) => e.emailAddress).join(", "),
    [u.firstName, u.lastName].filter(Boolean).join(" "),
    u.passwordHash ? "yes" : "no",
    time(u.createdAt),
    time(u.lastSignInAt),
  ]);
  const orgs = Object.values(state.organizations).map((o) => [
    o.id,
    o.name,
    o.slug,
    membersCount(core, o.id),
    time(o.createdAt),
  ]);
  const memberships = Object.values(state.memberships).map((m) => [
    m.id,
    state.organizations[m.organizationId]?.slug ?? m.organizationId,
    email(m.userId),
    m.role,
    time(m.createdAt),
  ]);
  const roles = Object.values(state.roles).map((r) => [
    r.key,
    r.name,
    permissionsOfRole(core, r)
      .map((p) => p.key)
      .join(" "),
  ]);
  const invitations = Object.values(state.invitations)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((inv) => [
      inv.id,
      state.organizations[inv.organizationId]?.slug ?? inv.organizationId,
      inv.emailAddress,
      inv.role,
      invitationStatus(inv, now),
      time(inv.expiresAt),
    ]);
  const slug = (orgId: string) => state.organizations[orgId]?.slug ?? orgId;
  // Never the token nor its url: either signs the user in.
  const signInTokens = Object.values(state.signInTokens)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((t) => [
      t.id,
      email(t.userId),
      t.organizationId ? slug(t.organizationId) : "—",
      t.status === "pending" && t.expiresAt <= now ? "expired" : t.status,
      time(t.expiresAt),
      time(t.createdAt),
    ]);
  const actorTokens = Object.values(state.actorTokens)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((t) => [
      t.id,
      email(t.userId),
      t.actor.sub,
      t.status === "pending" && t.expiresAt <= now ? "expired" : t.status,
      time(t.expiresAt),
      time(t.createdAt),
    ]);
  const domains = Object.values(state.organizationDomains).map((d) => [
    d.id,
    slug(d.organizationId),
    d.name,
    d.verification ? `${d.verification.status} (${d.verification.strategy})` : "unverified",
    d.enrollmentMode,
  ]);
  const requests = [
    ...Object.values(state.organizationSuggestions).map((s) => [
      "suggestion",
      slug(s.organizationId),
      email(s.userId),
      s.status,
      time(s.createdAt),
    ]),
    ...Object.values(state.membershipRequests).map((r) => [
      "request",
      slug(r.organizationId),
      email(r.userId),
      r.status,
      time(r.createdAt),
    ]),
  ];
  const keys = Object.values(state.apiKeys).map((k) => [
    k.id,
    k.name,
    k.subject.startsWith("org_")
      ? (state.organizations[k.subject]?.slug ?? k.subject)
      : email(k.subject),
    k.scopes.join(" ") || "(none)",
    k.revoked ? "revoked" : isUsable(k, now) ? "active" : "expired",
    time(k.expiration),
    time(k.lastUsedAt),
  ]);
  const machineName = (id: string) => state.machines[id]?.name ?? id;
  const machines = Object.values(state.machines).map((m) => [
    m.id,
    m.name,
    m.scopedMachines.map((s) => machineName(s.id)).join(", ") || "(none)",
    `${m.defaultTokenTtl} s`,
    time(m.createdAt),
  ]);
  const m2mTokens = Object.values(state.m2mTokens)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((t) => [
      t.id,
      machineName(t.subject),
      t.scopes.map(machineName).join(", ") || "(none)",
      t.revoked ? "revoked" : isUsableToken(t, now) ? "active" : "expired",
      time(t.expiration),
      time(t.lastUsedAt),
    ]);
  const oauthApps = Object.values(state.oauthApplications).map((a) => [
    a.id,
    a.name,
    a.clientId,
    `${a.public ? "public" : "confidential"}${a.dynamicallyRegistered ? ", registered itself" : ""}`,
    a.scopes,
    a.redirectUris.join(" "),
  ]);
  const appName = (id: string) => state.oauthApplications[id]?.name ?? id;
  const oauthGrants = Object.values(state.oauthGrants)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((g) => [
      g.id,
      appName(g.applicationId),
      email(g.userId),
      g.organizationId ? (state.organizations[g.organizationId]?.slug ?? g.organizationId) : "—",
      g.scopes.join(" "),
      g.revoked ? "revoked" : "active",
      time(g.createdAt),
    ]);
  const sessions = Object.values(state.sessions).map((s) => [
    s.id,
    s.actor ? `${email(s.userId)}, impersonated by ${s.actor.sub}` : email(s.userId),
    s.status,
    s.lastActiveOrganizationId ?? "—",
    time(s.createdAt),
  ]);
  const deliveries = [...state.webhookMessages]
    .reverse()
    .map((m) => [
      m.id,
      m.eventType,
      m.state,
      m.attempts.length,
      m.attempts.map(attemptResult).join(", ") || "—",
      time(m.createdAt),
    ]);
  const mailbox = [...state.mailbox]
    .reverse()
    .map((m) => [
      time(m.createdAt),
      m.to,
      m.subject,
      m.code ?? "—",
      m.link ? { href: m.link } : "—",
    ]);
  const target = core.config.webhookUrl ?? "not configured (set EMULATOR_WEBHOOK_URL)";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clerk emulator</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;padding:1.5rem;color:#1f2937;background:#f9fafb}
h1{margin:0 0 .25rem;font-size:1.4rem}h2{font-size:1.05rem;margin:1.75rem 0 .5rem}h2 small{color:#6b7280;font-weight:400}
.note{color:#92400e;background:#fef3c7;border:1px solid #fcd34d;padding:.5rem .75rem;border-radius:6px;max-width:60rem}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0001}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e5e7eb;vertical-align:top;word-break:break-all}
th{background:#f3f4f6;font-weight:600}.empty{color:#6b7280;font-style:italic}
</style></head><body>
<h1>Clerk emulator</h1>
<p class="note">Development tool, not Clerk. Listening on ${esc(core.config.host)}:${esc(core.config.port)}. Webhooks: ${esc(target)}.</p>
${table("Users", ["id", "email", "name", "password", "created", "last sign-in"], users)}
${table("Organizations", ["id", "name", "slug", "members", "created"], orgs)}
${table("Memberships", ["id", "organization", "user", "role", "created"], memberships)}
${table("Roles", ["key", "name", "permissions"], roles)}
${table("Invitations", ["id", "organization", "email", "role", "status", "expires"], invitations)}
${table("Organization domains", ["id", "organization", "name", "verification", "enrollment"], domains)}
${table("Suggestions and membership requests", ["kind", "organization", "user", "status", "created"], requests)}
${table("API keys", ["id", "name", "owner", "scopes", "status", "expires", "last used"], keys)}
${table("Machines", ["id", "name", "may call", "token lifetime", "created"], machines)}
${table("M2M tokens (opaque)", ["id", "machine", "for", "status", "expires", "last used"], m2mTokens)}
${table("OAuth applications", ["id", "name", "client id", "client", "scopes", "redirect URIs"], oauthApps)}
${table("OAuth grants (consents)", ["id", "application", "user", "organization", "scopes", "status", "granted"], oauthGrants)}
${table("Sign-in tokens", ["id", "user", "organization", "status", "expires", "created"], signInTokens)}
${table("Actor tokens (impersonation)", ["id", "user", "actor", "status", "expires", "created"], actorTokens)}
${table("Sessions", ["id", "user", "status", "active org", "created"], sessions)}
${table("Mailbox (emails and text messages: codes and invitation links)", ["sent", "to", "subject", "code", "link"], mailbox)}
${table("Webhook deliveries", ["svix-id", "event", "state", "attempts", "results", "created"], deliveries)}
</body></html>`;
}
