import { createHash } from "node:crypto";
import { SOCIAL_PROVIDERS, type SocialProvider } from "../../../clerk/instance-settings";
import type { ProviderIdentity } from "../store/records";

// The social providers the emulator stands in for: the scopes each grants and the accounts its
// stand-in page offers (anyone may also type another). The first account of each is the seeded
// demo user's address, so choosing it signs the demo user in (and links the provider to them);
// the second is a new person, so choosing it signs someone up. All use `+clerk_test` addresses,
// whose emailed codes are 424242.

type Preset = Omit<ProviderIdentity, "provider" | "approvedScopes">;

type StandIn = { scopes: string; accounts: readonly Preset[] };

const STAND_INS: Record<SocialProvider, StandIn> = {
  google: {
    scopes: "openid email profile",
    accounts: [
      {
        providerUserId: "100000000000000000001",
        emailAddress: "demo+clerk_test@example.com",
        emailVerified: true,
        firstName: "Demo",
        lastName: "User",
        username: null,
        imageUrl: null,
      },
      {
        providerUserId: "100000000000000000002",
        emailAddress: "ada+clerk_test@example.com",
        emailVerified: true,
        firstName: "Ada",
        lastName: "Lovelace",
        username: null,
        imageUrl: null,
      },
    ],
  },
  github: {
    scopes: "user:email read:user",
    accounts: [
      {
        providerUserId: "10000001",
        emailAddress: "demo+clerk_test@example.com",
        emailVerified: true,
        firstName: "Demo",
        lastName: "User",
        username: "demo-user",
        imageUrl: null,
      },
      {
        providerUserId: "10000002",
        emailAddress: "grace+clerk_test@example.com",
        emailVerified: true,
        firstName: "Grace",
        lastName: "Hopper",
        username: "grace-hopper",
        imageUrl: null,
      },
    ],
  },
  microsoft: {
    scopes: "openid email profile offline_access User.Read",
    accounts: [
      {
        providerUserId: "00000000-0000-4000-8000-000000000001",
        emailAddress: "demo+clerk_test@example.com",
        emailVerified: true,
        firstName: "Demo",
        lastName: "User",
        username: null,
        imageUrl: null,
      },
      {
        providerUserId: "00000000-0000-4000-8000-000000000002",
        emailAddress: "alan+clerk_test@example.com",
        emailVerified: true,
        firstName: "Alan",
        lastName: "Turing",
        username: null,
        imageUrl: null,
      },
    ],
  },
};

export const providerName = (provider: SocialProvider) => SOCIAL_PROVIDERS[provider];
export const providerScopes = (provider: SocialProvider) => STAND_INS[provider].scopes;

export function presetAccounts(provider: SocialProvider): ProviderIdentity[] {
  return STAND_INS[provider].accounts.map((a) => ({
    ...a,
    provider,
    approvedScopes: STAND_INS[provider].scopes,
  }));
}

// An account typed on the stand-in page: the same address at the same provider is the same
// provider account every time, so typing it again signs the same user in.
export function typedAccount(
  provider: SocialProvider,
  input: {
    emailAddress: string;
    emailVerified: boolean;
    firstName: string | null;
    lastName: string | null;
    username: string | null;
  },
): ProviderIdentity {
  const email = input.emailAddress.trim().toLowerCase();
  const id = createHash("sha256").update(`${provider} ${email}`).digest("hex").slice(0, 20);
  return {
    ...input,
    emailAddress: email,
    provider,
    providerUserId: `typed-${id}`,
    imageUrl: null,
    approvedScopes: STAND_INS[provider].scopes,
  };
}

// `oauth_google` -> `google`, for the providers the emulator stands in for.
export function providerOfStrategy(strategy: string): SocialProvider | null {
  const name = strategy.startsWith("oauth_") ? strategy.slice("oauth_".length) : "";
  return Object.hasOwn(STAND_INS, name) ? (name as SocialProvider) : null;
}
