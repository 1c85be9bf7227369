import { SignIn } from "@clerk/nextjs";
import { auth } from "@clerk/nextjs/server";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";
import { database } from "@/db/client";
import { userDisplayNames } from "@/members/members";
import { SwitchAccount } from "./switch-account";

export const metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { __clerk_ticket: ticket } = await searchParams;
  const { userId } = ticket ? await auth() : { userId: null };
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      {userId ? (
        <SwitchAccount signedInAs={await signedInName(userId)} />
      ) : (
        <WhenClerkLoaded fallback={null}>
          <SignIn fallbackRedirectUrl="/dashboard" signUpUrl="/sign-up" />
        </WhenClerkLoaded>
      )}
    </main>
  );
}

// As the app's pages name people (the synced users); the database not answering is no reason to
// hide the question.
async function signedInName(userId: string): Promise<string> {
  const names = await userDisplayNames(database().db, [userId]).catch(() => null);
  const name = names?.get(userId);
  return name && name !== userId ? name : "another account";
}
