import Link from "next/link";
import { AuditEventListQuery, auditEventCursor } from "@/api/list-params";
import { AUDIT_KIND_LABELS, AUDIT_KINDS, isBillingKind } from "@/audit/audit-kinds";
import { listAuditEvents } from "@/audit/audit-log";
import { summarizeAuditEvent } from "@/audit/audit-summary";
import { decideFeature } from "@/auth/authorize";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { database } from "@/db/client";
import type { AuditEvent } from "@/db/schema";
import { userDisplayNames } from "@/members/members";
import { requireActiveOrg } from "../org-access";

export const metadata = { title: "Activity" };

const PAGE_SIZE = 25;

const when = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pageHref(slug: string, params: { kind?: string | undefined; cursor?: string }) {
  const query = new URLSearchParams();
  if (params.kind) query.set("kind", params.kind);
  if (params.cursor) query.set("cursor", params.cursor);
  const qs = query.toString();
  return `/orgs/${slug}/activity${qs ? `?${qs}` : ""}`;
}

// The organization's audit log, newest first, for those whose role may read it.
export default async function ActivityPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: SearchParams;
}) {
  const { slug } = await params;
  const { orgId, canReadActivity, billing } = await requireActiveOrg(slug);
  if (!canReadActivity) {
    return (
      <section className="rounded-lg border border-slate-200 bg-white p-6">
        <h1 className="text-2xl font-semibold">Activity</h1>
        <p className="mt-2 text-slate-600">
          Only admins can see this organization's activity. Ask one of them if you need to know who
          changed something.
        </p>
      </section>
    );
  }

  // The log is written on every plan; reading it is the plan's feature.
  const feature = decideFeature(billing, "audit_log");
  if (!feature.ok) {
    return (
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold">Activity</h1>
        <UpgradePrompt
          slug={slug}
          title="Upgrade to see your organization's activity"
          detail={`${feature.problem.detail} Everything is recorded meanwhile, and shows here once you do.`}
          plans={(feature.problem.plans as string[] | undefined) ?? []}
        />
      </div>
    );
  }

  const search = await searchParams;
  const query = AuditEventListQuery.safeParse({
    kind: first(search.kind) || undefined,
    cursor: first(search.cursor) || undefined,
    limit: PAGE_SIZE,
  });
  const { kind, cursor } = query.success ? query.data : { kind: undefined, cursor: undefined };
  const { db } = database();
  const page = await listAuditEvents(db, orgId, { limit: PAGE_SIZE, after: cursor, kind });
  const names = await userDisplayNames(db, page.events.flatMap(userIdsOf));

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Activity</h1>
        <p className="text-slate-600">
          Who changed what in this organization, newest first: projects, API keys, members,
          invitations, its plan and payments, and the apps members connected to act in it.
        </p>
      </div>
      <form
        method="get"
        action={`/orgs/${slug}/activity`}
        className="flex flex-wrap items-end gap-3"
        aria-label="Filter activity"
      >
        <div className="flex flex-col gap-1">
          <label htmlFor="activity-kind" className="text-sm font-medium">
            Kind
          </label>
          <select
            id="activity-kind"
            name="kind"
            defaultValue={kind ?? ""}
            className="rounded-md border border-slate-300 bg-white px-3 py-2"
          >
            <option value="">Everything</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {AUDIT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={PRIMARY_BUTTON}>
          Show
        </button>
        {!query.success && (
          <p role="status" className="text-sm text-red-700">
            That filter or page link is not valid; showing the newest events.
          </p>
        )}
      </form>
      {page.events.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-600">
          {cursor ? "No older events." : "Nothing recorded yet."}
        </p>
      ) : (
        // A table from the small breakpoint up; on a phone each row stacks its cells.
        <div className="rounded-lg border border-slate-200 bg-white">
          <table className="block w-full text-left text-sm sm:table">
            <thead className="hidden border-b border-slate-200 bg-slate-50 text-slate-600 sm:table-header-group">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  When (UTC)
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  What
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Who
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Details
                </th>
              </tr>
            </thead>
            <tbody className="block divide-y divide-slate-200 sm:table-row-group">
              {page.events.map((e) => (
                <tr key={e.id} className="block px-3 py-2 align-top sm:table-row sm:p-0">
                  <td className="block text-xs text-slate-500 sm:table-cell sm:whitespace-nowrap sm:px-3 sm:py-2">
                    <time dateTime={e.occurredAt.toISOString()}>{when.format(e.occurredAt)}</time>
                  </td>
                  <td className="block font-medium sm:table-cell sm:whitespace-nowrap sm:px-3 sm:py-2">
                    {AUDIT_KIND_LABELS[e.kind]}
                  </td>
                  <td className="block sm:table-cell sm:px-3 sm:py-2">
                    <Actor event={e} names={names} />
                  </td>
                  <td className="block break-words sm:table-cell sm:px-3 sm:py-2">
                    {summarizeAuditEvent(e, names)}
                    <RequestLine event={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Activity pages" className="flex gap-4 text-sm">
        {cursor && (
          <Link
            prefetch={false}
            href={pageHref(slug, { kind })}
            className="text-brand-700 underline"
          >
            Newest
          </Link>
        )}
        {page.next && (
          <Link
            prefetch={false}
            href={pageHref(slug, { kind, cursor: auditEventCursor(page.next) })}
            className="text-brand-700 underline"
          >
            Older
          </Link>
        )}
      </nav>
    </div>
  );
}

// Ids to look up for rows recorded without names (before names were kept with each row), and the
// impersonator of a change made in an impersonation session (a Clerk user, perhaps not a member).
function userIdsOf(e: AuditEvent): string[] {
  const member = e.changes.user_id;
  return [
    ...(e.actorType === "user" && e.actorId && !e.actorName ? [e.actorId] : []),
    ...(typeof member === "string" && !e.subjectName ? [member] : []),
    ...(e.impersonatorId ? [e.impersonatorId] : []),
  ];
}

function Actor({ event, names }: { event: AuditEvent; names: Map<string, string> }) {
  if (event.actorType === "api_key") return `API key “${event.actorName}”`;
  if (event.actorType === "user" && event.actorId) {
    const name = event.actorName ?? names.get(event.actorId) ?? event.actorId;
    if (!event.impersonatorId) return name;
    return (
      <>
        {name}
        <div className="text-xs text-amber-700">
          impersonated by {names.get(event.impersonatorId) ?? event.impersonatorId}
        </div>
      </>
    );
  }
  // A third-party application acting for someone: "Ada Lovelace via Claude".
  if (event.actorType === "oauth_app") return event.actorName ?? event.actorId;
  if (event.actorType === "machine") {
    return (
      <>
        Machine (a job of this app)
        <div className="font-mono text-xs text-slate-500">{event.actorId}</div>
      </>
    );
  }
  if (isBillingKind(event.kind)) return <span className="text-slate-600">Clerk Billing</span>;
  // Clerk's webhooks do not say who changed a membership or revoked an invitation in Clerk's
  // components or dashboard: someone whose role allows it.
  return <span className="text-slate-600">An admin, in Clerk</span>;
}

// The request that carried the change and where it came from, small: for finding its log lines.
function RequestLine({ event }: { event: AuditEvent }) {
  if (!event.requestId && !event.clientAddress) return null;
  return (
    <div className="mt-0.5 truncate font-mono text-xs text-slate-500" title={event.requestId ?? ""}>
      {event.requestId && `request ${event.requestId}`}
      {event.requestId && event.clientAddress && " · "}
      {event.clientAddress}
    </div>
  );
}
