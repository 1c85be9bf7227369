// The scopes an API key can carry. Its own module, free of server code, because the settings
// form (a client component) lists them too.
export const API_SCOPES = [
  "projects:read",
  "projects:write",
  "members:read",
  "audit:read",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];
