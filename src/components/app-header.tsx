import { OrganizationSwitcher, UserButton } from "@clerk/nextjs";
import Link from "next/link";

// The signed-in shell's header: product name, organization switcher, account menu.
export function AppHeader({ orgSlug }: { orgSlug?: string | undefined }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex items-center gap-4">
          <Link href={orgSlug ? `/orgs/${orgSlug}` : "/"} className="font-semibold text-slate-900">
            Acme Projects
          </Link>
          <OrganizationSwitcher
            hidePersonal
            afterSelectOrganizationUrl="/orgs/:slug"
            afterCreateOrganizationUrl="/orgs/:slug"
            afterLeaveOrganizationUrl="/onboarding"
          />
        </div>
        <nav aria-label="Account" className="flex items-center gap-4 text-sm">
          <Link href="/settings" className="text-slate-600 hover:text-slate-900">
            Settings
          </Link>
          <UserButton />
        </nav>
      </div>
    </header>
  );
}
