import { auth } from "@clerk/nextjs/server";
import { redirect } from "next/navigation";
import { landingOrganizationSlug } from "@/organizations/landing-organization";

// Where signing in lands (Clerk's sign-in fallback redirect): the active organization's
// dashboard, else the one the user last worked in, else onboarding to choose or create one.
export async function GET() {
  const { isAuthenticated, userId, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  const slug = orgSlug ?? (await landingOrganizationSlug(userId));
  redirect(slug ? `/orgs/${slug}` : "/onboarding");
}
