import { UserProfile } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import Link from "next/link";
import { AppHeader } from "@/components/app-header";

export const metadata = { title: "Settings" };

function KeyIcon() {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" width="16" height="16">
      <path d="M12.5 2a5.5 5.5 0 0 0-5.3 7L2 14.2V18h3.8v-2h2v-2h2l1.2-1.2A5.5 5.5 0 1 0 12.5 2Zm1.5 5a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3Z" />
    </svg>
  );
}

export default async function SettingsPage() {
  const { isAuthenticated, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  return (
    <>
      <AppHeader orgSlug={orgSlug ?? undefined} />
      <main className="mx-auto flex max-w-5xl flex-col items-center gap-4 px-4 py-8">
        <p className="self-start text-sm text-slate-600">
          <Link href="/settings/api-keys" className="text-brand-700 underline">
            Personal API keys with scopes
          </Link>
        </p>
        {/* Clerk's own "API keys" tab lists and revokes keys, but cannot give them scopes: a key
            made there identifies you (GET /api/v1/me) and nothing more. Keys that read or write
            projects are made on this app's page, linked beside it. */}
        <UserProfile path="/settings">
          <UserProfile.Link
            label="Scoped API keys"
            url="/settings/api-keys"
            labelIcon={<KeyIcon />}
          />
        </UserProfile>
      </main>
    </>
  );
}
