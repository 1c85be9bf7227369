import { auth } from "@clerk/nextjs/server";
import { notFound } from "next/navigation";
import { clerkBackendApi } from "@/auth/clerk-backend-api";

// Whose keys a settings page manages: the signed-in user's own, or an organization's.
export type KeyOwnerTarget = { kind: "personal" } | { kind: "organization"; slug: string };

export type KeyOwner = {
  // The API key's subject: a user id or an organization id.
  subject: string;
  userId: string;
  settingsPath: string;
};

export type KeyOwnerAccess = { ok: true; owner: KeyOwner } | { ok: false; message: string };

// Clerk's permission for managing an organization's API keys. It is a system permission, and
// Clerk keeps those out of session tokens, so `has()` cannot see it: the membership is fetched
// from Clerk instead (one Backend API call per settings page view or action). Unlike a check of
// the role name, this follows whatever roles the Clerk dashboard grants it to.
export const MANAGE_API_KEYS = "org:sys_api_keys:manage";

export async function keyOwnerFor(target: KeyOwnerTarget): Promise<KeyOwnerAccess> {
  const { isAuthenticated, userId, orgId, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  if (target.kind === "personal") {
    return { ok: true, owner: { subject: userId, userId, settingsPath: "/settings/api-keys" } };
  }
  // As on every org page: the URL's organization must be the active one, or nothing is revealed.
  if (!orgId || orgSlug !== target.slug) notFound();
  const { data } = await clerkBackendApi((clerk) =>
    clerk.organizations.getOrganizationMembershipList({
      organizationId: orgId,
      userId: [userId],
      limit: 1,
    }),
  );
  if (!data[0]?.permissions.includes(MANAGE_API_KEYS)) {
    return {
      ok: false,
      message:
        "Only admins can manage this organization's API keys. Ask one of them, or create a personal key of your own.",
    };
  }
  return {
    ok: true,
    owner: { subject: orgId, userId, settingsPath: `/orgs/${target.slug}/settings/api-keys` },
  };
}
