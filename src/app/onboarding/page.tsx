import { OrganizationList } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";

export const metadata = { title: "Choose an organization" };

// Shown while Clerk's organization list loads: the card's outline, so the page does not jump.
function OrganizationListSkeleton() {
  return (
    <div
      aria-hidden="true"
      className="h-48 w-full max-w-md animate-pulse rounded-xl border border-slate-200 bg-white"
    />
  );
}

// Where sign-up lands (and sign-in without an organization): straight to the active
// organization, or a choice of one to open or create. The page's heading stands for the
// component's own, which is hidden so the page has one.
export default async function OnboardingPage() {
  const { isAuthenticated, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  if (orgSlug) redirect(`/orgs/${orgSlug}`);
  return (
    <>
      <AppHeader />
      <main className="mx-auto flex max-w-5xl flex-col items-center gap-6 px-4 py-12">
        <div className="text-center">
          <h1 className="text-2xl font-semibold">Choose an organization</h1>
          <p className="mt-2 text-slate-600">
            Projects live in organizations. Open one you belong to, or create one for your team.
          </p>
        </div>
        <OrganizationList
          hidePersonal
          afterSelectOrganizationUrl="/orgs/:slug"
          afterCreateOrganizationUrl="/orgs/:slug"
          appearance={{ elements: { header: { display: "none" } } }}
          fallback={<OrganizationListSkeleton />}
        />
      </main>
    </>
  );
}
