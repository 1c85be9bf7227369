import Link from "next/link";
import { AuditEventListQuery, auditEventCursor } from "@/api/list-params";
import { AUDIT_KIND_LABELS, AUDIT_KINDS } from "@/audit/audit-kinds";
import { listAuditEvents } from "@/audit/audit-log";
import { summarizeAuditEvent } from "@/audit/audit-summary";
import { AUDIT_READ_PERMISSION, decideFeature } from "@/auth/authorize";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
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
          Reading this organization's activity needs the {AUDIT_READ_PERMISSION} permission, which
          admins have. Ask an admin.
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
          invitations, its plan and payments. Times are UTC.
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
        <button
          type="submit"
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700"
        >
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
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  What
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Who
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Details
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Request
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {page.events.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className="whitespace-nowrap px-4 py-2">
                    <time dateTime={e.occurredAt.toISOString()}>{when.format(e.occurredAt)}</time>
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 font-medium">
                    {AUDIT_KIND_LABELS[e.kind]}
                  </td>
                  <td className="px-4 py-2">
                    <Actor event={e} names={names} />
                  </td>
                  <td className="px-4 py-2">{summarizeAuditEvent(e, names)}</td>
                  <td className="px-4 py-2 font-mono text-xs text-slate-500">
                    {e.requestId && <div>{e.requestId}</div>}
                    {e.clientAddress && <div>{e.clientAddress}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Activity pages" className="flex gap-4 text-sm">
        {cursor && (
          <Link href={pageHref(slug, { kind })} className="text-brand-700 underline">
            Newest
          </Link>
        )}
        {page.next && (
          <Link
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

function userIdsOf(e: AuditEvent): string[] {
  const member = e.changes.user_id;
  return [
    ...(e.actorType === "user" && e.actorId ? [e.actorId] : []),
    ...(typeof member === "string" ? [member] : []),
  ];
}

function Actor({ event, names }: { event: AuditEvent; names: Map<string, string> }) {
  if (event.actorType === "api_key") {
    return (
      <>
        {`API key “${event.actorName}”`}
        <div className="font-mono text-xs text-slate-500">{event.actorId}</div>
      </>
    );
  }
  if (event.actorType === "user" && event.actorId) return names.get(event.actorId) ?? event.actorId;
  return "Clerk";
}
