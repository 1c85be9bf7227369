import type { ReactNode } from "react";
import { AppHeader } from "@/components/app-header";
import { LiveRefresh } from "./live-refresh";

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
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
      <LiveRefresh slug={slug} />
    </>
  );
}
