import { auth } from "@clerk/nextjs/server";
import { notFound } from "next/navigation";
import { type Decision, decideFeature } from "@/auth/authorize";
import { hasSystemPermission } from "@/organizations/system-permissions";

// Whose keys a settings page manages: the signed-in user's own, or an organization's.
export type KeyOwnerTarget = { kind: "personal" } | { kind: "organization"; slug: string };

export type KeyOwner = {
  // The API key's subject: a user id or an organization id.
  subject: string;
  userId: string;
  settingsPath: string;
  // Whether a new key may be created: organization keys are a plan feature (existing keys are kept
  // on any plan, and can be revoked).
  mayCreate: Decision;
};

export type KeyOwnerAccess = { ok: true; owner: KeyOwner } | { ok: false; message: string };

// Clerk's permission for managing an organization's API keys, a system permission
// (src/organizations/system-permissions.ts): one Backend API call per settings page view or action.
export const MANAGE_API_KEYS = "org:sys_api_keys:manage";

// The target comes from a server action's arguments: whatever its caller posted.
export async function keyOwnerFor(target: KeyOwnerTarget): Promise<KeyOwnerAccess> {
  if (typeof target !== "object" || target === null) notFound();
  const { isAuthenticated, userId, orgId, orgSlug, has, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  if (target.kind === "personal") {
    return {
      ok: true,
      owner: {
        subject: userId,
        userId,
        settingsPath: "/settings/api-keys",
        mayCreate: { ok: true },
      },
    };
  }
  // As on every org page: the URL's organization must be the active one, or nothing is revealed.
  if (!orgId || orgSlug !== target.slug) notFound();
  if (!(await hasSystemPermission(orgId, userId, MANAGE_API_KEYS))) {
    return {
      ok: false,
      message:
        "Only admins can manage this organization's API keys. Ask one of them, or create a personal key of your own.",
    };
  }
  return {
    ok: true,
    owner: {
      subject: orgId,
      userId,
      settingsPath: `/orgs/${target.slug}/settings/api-keys`,
      mayCreate: decideFeature(has, "organization_api_keys"),
    },
  };
}
