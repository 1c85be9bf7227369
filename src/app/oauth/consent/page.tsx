import { OAuthConsent } from "@clerk/nextjs";
import { WhenClerkLoaded } from "@/components/when-clerk-loaded";

export const metadata = { title: "Connect an application" };

// Clerk's own consent screen for its OAuth server: the application, the scopes it asks for, and
// (with `user:org:read`) the organization it will act in. It reads the authorization request from
// this page's query and posts the decision to Clerk, which sends the browser back to the
// application.
export default function OAuthConsentPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <WhenClerkLoaded fallback={null}>
        <OAuthConsent />
      </WhenClerkLoaded>
    </main>
  );
}
