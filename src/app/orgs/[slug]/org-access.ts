import { auth } from "@clerk/nextjs/server";
import { notFound } from "next/navigation";

export const MANAGE_PROJECTS = "org:projects:manage";

// Every org page and action re-checks that the signed-in user's active organization is the one in
// the URL. The proxy activates the URL's organization when the user belongs to it; when they do
// not, the active one stays different and the page is a 404 that reveals nothing.
export async function requireActiveOrg(slug: string) {
  const { isAuthenticated, userId, orgId, orgSlug, has, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  if (!orgId || orgSlug !== slug) notFound();
  return { userId, orgId, canManageProjects: has({ permission: MANAGE_PROJECTS }) };
}
