// Clerk's system permissions the app asks for by name. Free of server code: the header's client
// components name them too.
export const MANAGE_API_KEYS = "org:sys_api_keys:manage";
export const MANAGE_BILLING = "org:sys_billing:manage";
