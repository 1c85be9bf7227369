"use client";

import { StatusPage } from "@/components/status-page";

// A page of the organization that failed on the server, inside its frame. The reference is Next's
// digest of the error, which the server logs beside the request id (src/instrumentation.ts). A
// service the page needs not answering (Clerk, the database: src/http/unavailable.ts) is told
// apart from a bug; a page load that fails so is answered 503 by the server itself
// (scripts/lib/front-door.ts), so this shows it when the failure reaches the browser otherwise.
export default function OrgError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  if (error.digest === "service-unavailable") {
    return (
      <div>
        <StatusPage
          code="503"
          title="Temporarily unavailable"
          links={[{ href: "/dashboard", label: "Go to your dashboard" }]}
        >
          <p>
            A service this page needs is not answering right now. Nothing you did caused it, and
            nothing was lost. Try again in a few seconds.
          </p>
        </StatusPage>
        <TryAgain reset={reset} />
      </div>
    );
  }
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
      <TryAgain reset={reset} />
    </div>
  );
}

function TryAgain({ reset }: { reset: () => void }) {
  return (
    <button
      type="button"
      onClick={reset}
      className="mx-auto block rounded-md px-4 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50"
    >
      Try again
    </button>
  );
}
