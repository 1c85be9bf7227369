import { OrganizationList } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";

export const metadata = { title: "Choose an organization" };

// Where sign-in lands: straight to the active organization, or a choice of one to open or create.
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
        />
      </main>
    </>
  );
}
