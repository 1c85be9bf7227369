import Link from "next/link";
import { currentPlan, decideProjectCount } from "@/auth/authorize";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
import { database } from "@/db/client";
import { listMembers, type Member, memberDisplayName, roleLabel } from "@/members/members";
import {
  howPeopleJoin,
  type VerifiedDomain,
  verifiedDomainsOf,
} from "@/organizations/verified-domains";
import { countProjects, listProjects } from "@/projects/projects";
import { CreateProjectForm } from "./create-project-form";
import { DeleteProjectButton } from "./delete-project-button";
import { requireActiveOrg } from "./org-access";

export const metadata = { title: "Projects" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export default async function OrgDashboardPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { orgId, canManageProjects, billing } = await requireActiveOrg(slug);
  const { db } = database();
  const [{ projects }, projectCount, memberPage, domains] = await Promise.all([
    listProjects(db, orgId),
    countProjects(db, orgId),
    listMembers(db, orgId, { limit: 100 }),
    verifiedDomainsOf(db, orgId),
  ]);
  const plan = currentPlan(billing);
  // At the plan's limit (or past it, after a downgrade) the form gives way to the upgrade prompt;
  // the action checks again, counting inside its transaction.
  const room = decideProjectCount(billing, projectCount);
  const members = memberPage.members.sort((a, b) =>
    memberDisplayName(a).localeCompare(memberDisplayName(b)),
  );

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Projects</h1>
        <p className="text-slate-600">
          {canManageProjects
            ? "Everything your organization is working on."
            : "Everything your organization is working on. Ask an admin to add or remove projects."}
        </p>
      </div>
      <p className="text-sm text-slate-600">
        {plan.limits.projects === null
          ? `${projectCount} projects on the ${plan.name} plan, which has no limit.`
          : `${projectCount} of ${plan.limits.projects} projects on the ${plan.name} plan.`}
      </p>
      {canManageProjects &&
        (room.ok ? (
          <CreateProjectForm slug={slug} />
        ) : (
          <UpgradePrompt
            slug={slug}
            title="Upgrade to create more projects"
            detail={room.problem.detail}
            plans={(room.problem.plans as string[] | undefined) ?? []}
          />
        ))}
      {projects.length === 0 ? (
        <section className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center">
          <h2 className="font-semibold">No projects yet</h2>
          <p className="mt-1 text-sm text-slate-600">
            {canManageProjects
              ? "Create the first one above, or through the API."
              : "When an admin creates one, it shows up here."}
          </p>
        </section>
      ) : (
        <section aria-labelledby="project-list-heading">
          <h2 id="project-list-heading" className="sr-only">
            Project list
          </h2>
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {projects.map((p) => (
              <li
                key={p.id}
                className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
              >
                <div className="min-w-0">
                  {/* No prefetch, as in the header: a request per project on every view. */}
                  <Link
                    href={`/orgs/${slug}/projects/${p.id}`}
                    prefetch={false}
                    className="font-medium text-slate-900 underline-offset-2 hover:underline"
                  >
                    {p.name}
                  </Link>
                  {p.description && <p className="text-sm text-slate-600">{p.description}</p>}
                  <p className="text-xs text-slate-500">Created {dateFormat.format(p.createdAt)}</p>
                </div>
                {canManageProjects && (
                  <DeleteProjectButton slug={slug} projectId={p.id} name={p.name} />
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <MemberList members={members} domains={domains} />
    </div>
  );
}

// Members as synced from Clerk's webhooks into the database (not fetched from Clerk per request),
// and how people join through the organization's verified domains.
function MemberList({ members, domains }: { members: Member[]; domains: VerifiedDomain[] }) {
  return (
    <section aria-labelledby="member-list-heading" className="flex flex-col gap-2">
      <h2 id="member-list-heading" className="font-semibold">
        Members
      </h2>
      {members.length === 0 ? (
        <p className="text-sm text-slate-600">
          No members synced yet. They appear here as Clerk's webhooks arrive.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
          {members.map((m) => (
            <li
              key={m.userId}
              className="flex flex-wrap items-center justify-between gap-2 px-4 py-2"
            >
              <div className="min-w-0">
                <p className="font-medium">{memberDisplayName(m)}</p>
                {m.email && m.email !== memberDisplayName(m) && (
                  <p className="text-slate-500">{m.email}</p>
                )}
              </div>
              <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                {roleLabel(m.role)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <JoinByDomain domains={domains} />
    </section>
  );
}

function JoinByDomain({ domains }: { domains: VerifiedDomain[] }) {
  if (domains.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        Admins can let colleagues join by their work email: organization switcher → Manage → General
        → Verified domains.
      </p>
    );
  }
  return (
    <ul aria-label="Verified domains" className="flex flex-col gap-1 text-sm text-slate-600">
      {domains.map((d) => (
        <li key={d.name}>
          People with an address at <span className="font-medium text-slate-900">{d.name}</span>{" "}
          {howPeopleJoin(d)}.
        </li>
      ))}
    </ul>
  );
}
