import { ClerkProvider } from "@clerk/nextjs";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Acme Projects", template: "%s · Acme Projects" },
  description: "A multi-tenant B2B SaaS reference app on Next.js and Clerk.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        {/* Inside <body>, as Clerk Core 3 requires with Next 16. `dynamic`: every page renders per
            request, so Clerk's and Next's scripts carry the nonce of that request's
            Content-Security-Policy (src/proxy.ts). */}
        <ClerkProvider signInUrl="/sign-in" signUpUrl="/sign-up" afterSignOutUrl="/" dynamic>
          {children}
        </ClerkProvider>
      </body>
    </html>
  );
}
