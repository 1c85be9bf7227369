import { OrganizationList, TaskChooseOrganization } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";

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
// organization, or a choice of one to open or create. Where the instance requires membership, a
// session without an organization is pending until it has one: Clerk's <TaskChooseOrganization/>
// does the choosing then (it lists the user's organizations, invitations and suggestions, or
// creates one) and goes on to /dashboard. The page's heading stands for the component's own,
// which is hidden so the page has one.
export default async function OnboardingPage() {
  const { isAuthenticated, sessionStatus, orgSlug, redirectToSignIn } = await auth({
    treatPendingAsSignedOut: false,
  });
  if (!isAuthenticated) return redirectToSignIn();
  if (orgSlug) redirect(`/orgs/${orgSlug}`);
  const pending = sessionStatus === "pending";
  const hideHeader = { elements: { header: { display: "none" } } };
  return (
    <>
      <AppHeader />
      <main className="mx-auto flex max-w-5xl flex-col items-center gap-6 px-4 py-12">
        <div className="text-center">
          <h1 className="text-2xl font-semibold">Choose an organization</h1>
          <p className="mt-2 text-slate-600">
            {pending
              ? "Everything here happens in an organization. Join one or create one to continue."
              : "Projects live in organizations. Open one you belong to, or create one for your team."}
          </p>
        </div>
        <WhenClerkLoaded fallback={<OrganizationListSkeleton />}>
          {pending ? (
            <TaskChooseOrganization redirectUrlComplete="/dashboard" appearance={hideHeader} />
          ) : (
            <OrganizationList
              hidePersonal
              afterSelectOrganizationUrl="/orgs/:slug"
              afterCreateOrganizationUrl="/orgs/:slug"
              appearance={hideHeader}
              fallback={<OrganizationListSkeleton />}
            />
          )}
        </WhenClerkLoaded>
      </main>
    </>
  );
}
