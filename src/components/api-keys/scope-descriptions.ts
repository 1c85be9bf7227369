import type { ApiScope } from "@/auth/api-scopes";

// What each scope lets a key do, as the settings pages explain it.
export const SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  "projects:read": "List and read projects.",
  "projects:write": "Create, change and delete projects.",
  "members:read": "List the organization's members.",
  "audit:read": "Read the audit log: who changed what, and when.",
};
