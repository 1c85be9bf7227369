import { SignUp } from "@clerk/nextjs";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";

export const metadata = { title: "Create an account" };

// Clerk's components hide optional fields unless told to show them: this shows what the instance
// settings offer as optional (first and last name), so people can give a name that members lists
// and the activity log show instead of their address.
const appearance = { options: { showOptionalFields: true } };

export default function SignUpPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <WhenClerkLoaded fallback={null}>
        <SignUp fallbackRedirectUrl="/onboarding" signInUrl="/sign-in" appearance={appearance} />
      </WhenClerkLoaded>
    </main>
  );
}
