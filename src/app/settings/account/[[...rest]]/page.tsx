import { auth } from "@clerk/nextjs/server";
import { AppHeader } from "@/components/app-header";
import { AccountProfile } from "./account-profile";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { isAuthenticated, orgSlug, redirectToSignIn } = await auth();
  if (!isAuthenticated) return redirectToSignIn();
  return (
    <>
      <AppHeader orgSlug={orgSlug ?? undefined} />
      <main className="mx-auto flex max-w-5xl flex-col items-center gap-4 px-4 py-8">
        <AccountProfile />
      </main>
    </>
  );
}
