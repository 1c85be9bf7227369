"use client";

import { useClerk } from "@clerk/nextjs";
import Link from "next/link";
import { useState } from "react";
import { PRIMARY_BUTTON } from "@/components/button-styles";

// A sign-in link (a sign-in token's or an actor token's `__clerk_ticket`) opened by someone who is
// signed in already: Clerk's <SignIn/> would only send them on as themselves. They choose: sign out
// and go on with the link (which then signs its user in, or starts the impersonation), or stay. A
// link never switches the account by itself.
export function SwitchAccount({ signedInAs }: { signedInAs: string }) {
  const { signOut } = useClerk();
  const [leaving, setLeaving] = useState(false);
  return (
    <section
      aria-labelledby="switch-account"
      className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
    >
      <h1 id="switch-account" className="font-semibold text-lg text-slate-900">
        This link signs in another account
      </h1>
      <p className="mt-2 text-slate-600 text-sm">
        You are signed in as <strong>{signedInAs}</strong>. To open the link, sign out first.
      </p>
      <div className="mt-5 flex items-center gap-4">
        <button
          type="button"
          className={PRIMARY_BUTTON}
          disabled={leaving}
          onClick={() => {
            setLeaving(true);
            void signOut({ redirectUrl: window.location.href });
          }}
        >
          {leaving ? "Signing out…" : "Sign out and continue"}
        </button>
        <Link href="/dashboard" prefetch={false} className="text-slate-600 text-sm underline">
          Stay signed in
        </Link>
      </div>
    </section>
  );
}
