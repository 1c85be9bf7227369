import { auth } from "@clerk/nextjs/server";
import { type ReactNode, Suspense } from "react";
import { AppHeader } from "@/components/app-header";
import { NamePrompt } from "@/components/name-prompt";
import { database } from "@/db/client";
import { organizationVersion } from "@/organizations/org-version";
import { LiveRefresh } from "./live-refresh";

// The version the page was rendered at, for LiveRefresh to compare with: streamed after the page
// (its own boundary), so the query never delays what the user came for.
async function LiveRefreshFromHere({ slug }: { slug: string }) {
  const { orgId, orgSlug } = await auth();
  const version =
    orgId && orgSlug === slug ? await organizationVersion(database().db, orgId) : null;
  return <LiveRefresh slug={slug} version={version} />;
}

export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  return (
    <>
      <AppHeader orgSlug={slug} />
      <main className="mx-auto max-w-5xl px-4 py-8">
        <NamePrompt />
        {children}
      </main>
      <Suspense fallback={null}>
        <LiveRefreshFromHere slug={slug} />
      </Suspense>
    </>
  );
}
