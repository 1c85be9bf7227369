import { auth } from "@clerk/nextjs/server";
import { notFound, redirect } from "next/navigation";
import type { ApiScope } from "@/auth/api-scopes";
import { SESSION_PERMISSIONS } from "@/auth/authorize";
import { database } from "@/db/client";
import { isMemberOfSlug } from "@/members/members";

// Every org page and action re-checks that the signed-in user's active organization is the one in
// the URL. The proxy activates the URL's organization when the user belongs to it; when they do
// not, the active one stays different and the page is a 404 that reveals nothing. What the user
// may do there follows the same permissions the API asks of their session.
// A server action's arguments are whatever its caller posted, whatever their declared types: a slug
// that is not text names no organization.
export async function requireActiveOrg(slug: string) {
  if (typeof slug !== "string") notFound();
  const { isAuthenticated, userId, orgId, orgSlug, has, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  if (!orgId || orgSlug !== slug) {
    // A member whose active organization is another one got here by a refresh of this page after
    // Clerk's components switched (creating an organization in <OrganizationSwitcher/> activates
    // it before its "Invite members" step): the page follows to the active organization's URL
    // instead of a 404. Opening the URL itself would have activated it in the proxy.
    if (orgSlug && (await isMemberOfSlug(database().db, userId, slug)))
      redirect(`/orgs/${orgSlug}`);
    notFound();
  }
  const may = (scope: ApiScope) => {
    const permission = SESSION_PERMISSIONS[scope];
    return permission === null || has({ permission });
  };
  return {
    userId,
    orgId,
    canManageProjects: may("projects:write"),
    canReadActivity: may("audit:read"),
    // The organization's plan and features, from the session token (Clerk's `has()`).
    billing: (params: { plan: string } | { feature: string }) => has(params),
  };
}
