import { auth } from "@clerk/nextjs/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { landingOrganizationSlug } from "@/organizations/landing-organization";

// Where signing in lands (Clerk's sign-in fallback redirect): the active organization's
// dashboard, else the one the user last worked in, else onboarding to choose or create one.
export async function GET() {
  // Clerk's redirect after sign-in (and a <Link>) navigate client-side: Next fetches the route's
  // RSC payload, and that fetch would follow the redirect below. But the organization of
  // /orgs/<slug> is activated by Clerk's handshake, which only a document load gets (Clerk tells
  // them apart by Sec-Fetch-Dest, as here). An empty answer makes Next load /dashboard as a
  // document instead.
  const dest = (await headers()).get("sec-fetch-dest");
  if (dest !== null && dest !== "document") {
    return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  }
  const { isAuthenticated, userId, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  const slug = orgSlug ?? (await landingOrganizationSlug(userId));
  redirect(slug ? `/orgs/${slug}` : "/onboarding");
}
