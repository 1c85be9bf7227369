import { OrganizationSwitcher, Show, UserButton } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import Link from "next/link";
import { AUDIT_READ_PERMISSION } from "@/auth/authorize";

const NAV_LINK = "text-slate-600 hover:text-slate-900";

// The signed-in shell's header: product name, organization switcher, the organization's pages,
// account menu. The Activity link shows only to those whose role may read the audit log.
export async function AppHeader({ orgSlug }: { orgSlug?: string | undefined }) {
  const session = await auth();
  const showActivity =
    orgSlug !== undefined &&
    session.orgSlug === orgSlug &&
    session.has({ permission: AUDIT_READ_PERMISSION });
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex items-center gap-4">
          <Link href={orgSlug ? `/orgs/${orgSlug}` : "/"} className="font-semibold text-slate-900">
            Acme Projects
          </Link>
          {/* Signed-out visitors (the API reference is public) get no switcher: it needs a session. */}
          <Show when="signed-in">
            <OrganizationSwitcher
              hidePersonal
              afterSelectOrganizationUrl="/orgs/:slug"
              afterCreateOrganizationUrl="/orgs/:slug"
              afterLeaveOrganizationUrl="/onboarding"
            />
          </Show>
        </div>
        <nav aria-label="Main" className="flex flex-wrap items-center gap-4 text-sm">
          {orgSlug && (
            <>
              <Link href={`/orgs/${orgSlug}`} className={NAV_LINK}>
                Projects
              </Link>
              <Link href={`/orgs/${orgSlug}/settings/api-keys`} className={NAV_LINK}>
                API keys
              </Link>
              {showActivity && (
                <Link href={`/orgs/${orgSlug}/activity`} className={NAV_LINK}>
                  Activity
                </Link>
              )}
            </>
          )}
          <Link href="/docs/api" className={NAV_LINK}>
            API docs
          </Link>
          <Show when="signed-in">
            <Link href="/settings" className={NAV_LINK}>
              Settings
            </Link>
            <UserButton />
          </Show>
          <Show when="signed-out">
            <Link href="/sign-in" className={NAV_LINK}>
              Sign in
            </Link>
          </Show>
        </nav>
      </div>
    </header>
  );
}
