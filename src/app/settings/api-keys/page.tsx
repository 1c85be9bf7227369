import { auth } from "@clerk/nextjs/server";
import Link from "next/link";
import { keyOwnerFor } from "@/api-keys/key-owner";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";
import { AppHeader } from "@/components/app-header";

export const metadata = { title: "Personal API keys" };

const TARGET = { kind: "personal" } as const;

export default async function PersonalApiKeysPage() {
  const access = await keyOwnerFor(TARGET);
  const { orgSlug } = await auth();
  return (
    <>
      <AppHeader orgSlug={orgSlug ?? undefined} />
      <main className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-8">
        {access.ok && (
          <ApiKeysManager
            target={TARGET}
            owner={access.owner}
            heading="Personal API keys"
            intro="Keys that act as you in your personal workspace. For an organization's projects, create a key in that organization's settings."
          />
        )}
        <p className="text-sm text-slate-600">
          {orgSlug && (
            <>
              <Link
                prefetch={false}
                href={`/orgs/${orgSlug}/settings/api-keys`}
                className="text-brand-700 underline"
              >
                Organization API keys
              </Link>
              {" · "}
            </>
          )}
          <Link prefetch={false} href="/settings" className="text-brand-700 underline">
            Account settings
          </Link>
        </p>
      </main>
    </>
  );
}
