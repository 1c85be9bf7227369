// The custom OAuth scopes of the Clerk instance (Dashboard > OAuth applications > Scopes), declared
// once: the API's scope names, so an OAuth access token grants exactly what an API key with the
// same scopes would. The emulator offers them on its consent screen and in its authorization
// server metadata; with Clerk, create them in the Dashboard (README "OAuth access tokens").
export const CUSTOM_OAUTH_SCOPES = [
  { scope: "projects:read", description: "Read the organization's projects" },
  { scope: "projects:write", description: "Create, change and delete the organization's projects" },
  { scope: "members:read", description: "Read the organization's members" },
  { scope: "audit:read", description: "Read the organization's activity log" },
] as const;

// Clerk's own scope that asks the user to pick one of their organizations on the consent screen:
// the token then acts in that organization (its `org_id`).
export const ORGANIZATION_SCOPE = "user:org:read";
