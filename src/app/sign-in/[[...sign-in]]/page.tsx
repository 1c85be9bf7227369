import { SignIn } from "@clerk/nextjs";
import { auth, currentUser } from "@clerk/nextjs/server";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";
import { SwitchAccount } from "./switch-account";

export const metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { __clerk_ticket: ticket } = await searchParams;
  const signedIn = ticket ? (await auth()).isAuthenticated : false;
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      {signedIn ? (
        <SwitchAccount signedInAs={await signedInName()} />
      ) : (
        <WhenClerkLoaded fallback={null}>
          <SignIn fallbackRedirectUrl="/dashboard" signUpUrl="/sign-up" />
        </WhenClerkLoaded>
      )}
    </main>
  );
}

async function signedInName(): Promise<string> {
  const user = await currentUser().catch(() => null);
  return user?.primaryEmailAddress?.emailAddress ?? "another account";
}
