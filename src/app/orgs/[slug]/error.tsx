"use client";

import { StatusPage } from "@/components/status-page";

// A page of the organization that failed on the server, inside its frame. The reference is Next's
// digest of the error, which the server logs beside the request id (src/instrumentation.ts).
export default function OrgError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div>
      <StatusPage
        code="Error"
        title="This page could not be shown"
        links={[{ href: "/dashboard", label: "Go to your dashboard" }]}
      >
        <p>Something went wrong on our side. Nothing you did caused it; trying again may work.</p>
        {error.digest && (
          <p className="mt-2 text-sm">
            Reference for support: <code className="font-mono">{error.digest}</code>
          </p>
        )}
      </StatusPage>
      <button
        type="button"
        onClick={reset}
        className="mx-auto block rounded-md px-4 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50"
      >
        Try again
      </button>
    </div>
  );
}
