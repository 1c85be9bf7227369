import { OrganizationSwitcher, UserButton } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import Link from "next/link";
import { MANAGE_API_KEYS } from "@/api-keys/key-owner";
import { AUDIT_READ_PERMISSION } from "@/auth/authorize";
import { roleDeclaresPermission } from "@/auth/declared-roles";
import { MANAGE_BILLING } from "@/organizations/system-permissions";
import { ImpersonationNotice } from "./impersonation-notice";
import { WhenClerkLoaded } from "./when-clerk-loaded";

const NAV_LINK = "text-slate-600 hover:text-slate-900";
const SWITCHER_PLACEHOLDER = (
  <span aria-hidden="true" className="block h-8 w-40 rounded-md bg-slate-100" />
);
const USER_MENU_PLACEHOLDER = (
  <span aria-hidden="true" className="block size-7 rounded-full bg-slate-100" />
);

// The signed-in shell's header: product name, organization switcher, the organization's pages,
// account menu. A link shows only to those who may use its page: Activity to those whose role may
// read the audit log, API keys to those whose role manages the organization's keys, Billing to
// those whose role manages its plan. Clerk's components hold their place while they load, so the
// header does not jump, and mount once clerk-js has loaded (WhenClerkLoaded says why).
// Its links do not prefetch: every page they lead to is rendered per request (it needs the
// session), so a prefetch is a request to the server that saves the click nothing, sent for
// each link on every page view and again whenever the header re-renders (an organization switch).
// A pending session (a session task to do, on its task's page) is signed in, but has nothing to
// switch to or manage yet: the header shows neither, and no "Sign in" either (the task's card
// offers to sign out). An impersonation session has a notice above it all.
export async function AppHeader({ orgSlug }: { orgSlug?: string | undefined }) {
  const session = await auth();
  const pending = (await auth({ treatPendingAsSignedOut: false })).sessionStatus === "pending";
  const inOrg = orgSlug !== undefined && session.orgSlug === orgSlug;
  const showActivity = inOrg && session.has({ permission: AUDIT_READ_PERMISSION });
  const showApiKeys = inOrg && roleDeclaresPermission(session.orgRole, MANAGE_API_KEYS);
  const showBilling = inOrg && roleDeclaresPermission(session.orgRole, MANAGE_BILLING);
  return (
    <>
      {session.isAuthenticated && session.actor && (
        <ImpersonationNotice userId={session.userId} impersonatorId={session.actor.sub} />
      )}
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <div className="flex items-center gap-4">
            <Link
              prefetch={false}
              href={inOrg ? `/orgs/${orgSlug}` : session.isAuthenticated ? "/dashboard" : "/"}
              className="font-semibold text-slate-900"
            >
              Acme Projects
            </Link>
            {/* Signed-out visitors (the API reference is public) get neither the switcher nor the
              account menu: both need a session. */}
            {session.isAuthenticated && (
              <WhenClerkLoaded fallback={SWITCHER_PLACEHOLDER}>
                <OrganizationSwitcher
                  hidePersonal
                  afterSelectOrganizationUrl="/orgs/:slug"
                  afterCreateOrganizationUrl="/orgs/:slug"
                  afterLeaveOrganizationUrl="/onboarding"
                  fallback={SWITCHER_PLACEHOLDER}
                />
              </WhenClerkLoaded>
            )}
          </div>
          <nav aria-label="Main" className="flex flex-wrap items-center gap-4 text-sm">
            {inOrg && (
              <>
                <Link href={`/orgs/${orgSlug}`} prefetch={false} className={NAV_LINK}>
                  Projects
                </Link>
                {showApiKeys && (
                  <Link
                    href={`/orgs/${orgSlug}/settings/api-keys`}
                    prefetch={false}
                    className={NAV_LINK}
                  >
                    API keys
                  </Link>
                )}
                {showActivity && (
                  <Link href={`/orgs/${orgSlug}/activity`} prefetch={false} className={NAV_LINK}>
                    Activity
                  </Link>
                )}
                {showBilling && (
                  <Link href={`/orgs/${orgSlug}/billing`} prefetch={false} className={NAV_LINK}>
                    Billing
                  </Link>
                )}
              </>
            )}
            <Link href="/docs/api" prefetch={false} className={NAV_LINK}>
              API docs
            </Link>
            {session.isAuthenticated ? (
              <>
                <Link href="/settings" prefetch={false} className={NAV_LINK}>
                  Settings
                </Link>
                <WhenClerkLoaded fallback={USER_MENU_PLACEHOLDER}>
                  <UserButton fallback={USER_MENU_PLACEHOLDER} />
                </WhenClerkLoaded>
              </>
            ) : pending ? null : (
              <Link href="/sign-in" prefetch={false} className={NAV_LINK}>
                Sign in
              </Link>
            )}
          </nav>
        </div>
      </header>
    </>
  );
}
