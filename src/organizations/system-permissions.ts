import { clerkBackendApi } from "@/auth/clerk-backend-api";

// Clerk's system permissions (`org:sys_*`: managing members, API keys, billing...) are kept out of
// session tokens, so `has()` on the server cannot see them: the membership is fetched from Clerk
// instead (one Backend API call). Unlike a check of the role's name, this follows whatever roles
// the Clerk dashboard grants the permission to.
export const MANAGE_BILLING = "org:sys_billing:manage";

export async function hasSystemPermission(
  organizationId: string,
  userId: string,
  permission: string,
): Promise<boolean> {
  const { data } = await clerkBackendApi((clerk) =>
    clerk.organizations.getOrganizationMembershipList({
      organizationId,
      userId: [userId],
      limit: 1,
    }),
  );
  return data[0]?.permissions.includes(permission) ?? false;
}
