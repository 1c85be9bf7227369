import { ClerkProvider } from "@clerk/nextjs";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TASK_URLS } from "@/auth/session-tasks";
import { NoticeProvider } from "@/components/notices";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Acme Projects", template: "%s · Acme Projects" },
  description: "A multi-tenant B2B SaaS reference app on Next.js and Clerk.",
};

// Social sign-in buttons with the provider's name written out ("Continue with Google"), not only
// its icon: Clerk's components draw the icons from img.clerk.com, which an offline machine cannot
// reach, and three icon-only buttons are then three blank boxes.
const APPEARANCE = {
  options: { socialButtonsVariant: "blockButton" },
  elements: { socialButtons: { display: "flex", flexDirection: "column" } },
} as const;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        {/* Inside <body>, as Clerk Core 3 requires with Next 16. `dynamic`: every page renders per
            request, so Clerk's and Next's scripts carry the nonce of that request's
            Content-Security-Policy (src/proxy.ts). */}
        {/* Signing in lands on /dashboard (the organization to work in), signing up on
            onboarding, unless a redirect_url (a page that asked for sign-in) says otherwise; a
            session task (choosing an organization, where membership is required) is done on
            its page first. */}
        <ClerkProvider
          signInUrl="/sign-in"
          signUpUrl="/sign-up"
          signInFallbackRedirectUrl="/dashboard"
          signUpFallbackRedirectUrl="/onboarding"
          afterSignOutUrl="/"
          taskUrls={TASK_URLS}
          appearance={APPEARANCE}
          dynamic
        >
          <NoticeProvider>{children}</NoticeProvider>
        </ClerkProvider>
      </body>
    </html>
  );
}
