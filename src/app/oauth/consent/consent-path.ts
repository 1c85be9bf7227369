// Where Clerk's OAuth server sends people to consent: the instance's OAuth consent URL (Dashboard
// > OAuth applications; the emulator's display_config.oauth_consent_url).
export const OAUTH_CONSENT_PATH = "/oauth/consent";
