import { SignUp } from "@clerk/nextjs";

export const metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <SignUp fallbackRedirectUrl="/onboarding" signInUrl="/sign-in" />
    </main>
  );
}
