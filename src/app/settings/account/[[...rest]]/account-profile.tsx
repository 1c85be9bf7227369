"use client";

import { UserProfile } from "@clerk/nextjs";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";

function KeyIcon() {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" width="16" height="16">
      <path d="M12.5 2a5.5 5.5 0 0 0-5.3 7L2 14.2V18h3.8v-2h2v-2h2l1.2-1.2A5.5 5.5 0 1 0 12.5 2Zm1.5 5a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3Z" />
    </svg>
  );
}

function PlugIcon() {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" width="16" height="16">
      <path d="M7 2h2v4h2V2h2v4h1a1 1 0 0 1 1 1v3a5 5 0 0 1-4 4.9V18H9v-3.1A5 5 0 0 1 5 10V7a1 1 0 0 1 1-1h1V2Z" />
    </svg>
  );
}

// <UserProfile/> reads its custom pages and links from its children, which it can only do in a
// client component (from a server component they arrive as references and are dropped, with a
// warning). It routes every URL under its path itself, so it lives under /settings/account and
// the app's own /settings/api-keys stays outside it: a link there is a real navigation, and no
// URL means one page when clicked and another when reloaded. Clerk's own "API keys" page is
// hidden: its keys cannot have scopes; the link leads to the app's page for scoped keys.
export function AccountProfile() {
  return (
    <WhenClerkLoaded fallback={null}>
      <UserProfile path="/settings/account" apiKeysProps={{ hide: true }}>
        <UserProfile.Link
          label="Scoped API keys"
          url="/settings/api-keys"
          labelIcon={<KeyIcon />}
        />
        <UserProfile.Link
          label="Connected apps"
          url="/settings/connected-apps"
          labelIcon={<PlugIcon />}
        />
      </UserProfile>
    </WhenClerkLoaded>
  );
}
