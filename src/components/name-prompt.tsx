"use client";

import { useUser } from "@clerk/nextjs";
import { isClerkAPIResponseError } from "@clerk/nextjs/errors";
import { type FormEvent, useEffect, useState } from "react";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { useNotify } from "@/components/notices";

const DISMISSED_KEY = "name-prompt-dismissed";

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === "1";
  } catch {
    return false;
  }
}

// Someone who joined by invitation (or signed up where names are optional) has no name: Clerk's
// sign-up asks only for what the instance requires, so teammates see a bare email address in the
// members list, the Activity log and the switcher. This asks once, on the organization's pages,
// and saves through Clerk (the user's own `user.update`, as <UserProfile/> does); the webhook's
// user.updated then brings the name to the database. "Not now" hides it on this browser.
export function NamePrompt() {
  const { isLoaded, user } = useUser();
  const notify = useNotify();
  // Hidden until the browser's choice is read, so a dismissed prompt never flashes.
  const [dismissed, setDismissed] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setDismissed(readDismissed()), []);

  if (!isLoaded || !user || user.firstName || user.lastName || dismissed) return null;

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const firstName = String(form.get("firstName") ?? "").trim();
    const lastName = String(form.get("lastName") ?? "").trim();
    if (!firstName && !lastName) {
      setError("Enter a first or last name, or choose Not now.");
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await user.update({ firstName, lastName });
      notify(`Saved. Your teammates now see you as ${[firstName, lastName].join(" ").trim()}.`);
    } catch (err) {
      setError(
        isClerkAPIResponseError(err)
          ? (err.errors[0]?.longMessage ?? err.errors[0]?.message ?? "Clerk refused the name.")
          : "The name could not be saved. Check your connection and try again.",
      );
    } finally {
      setSaving(false);
    }
  };

  const dismiss = () => {
    try {
      localStorage.setItem(DISMISSED_KEY, "1");
    } catch {
      // Storage refused (a locked-down browser): hidden for this page only.
    }
    setDismissed(true);
  };

  const email = user.primaryEmailAddress?.emailAddress;
  return (
    <section
      aria-labelledby="name-prompt-heading"
      className="mb-6 rounded-lg border border-sky-200 bg-sky-50 p-4"
    >
      <h2 id="name-prompt-heading" className="font-semibold">
        What should your teammates call you?
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {email
          ? `They see you as ${email} until you add your name.`
          : "They see your account id until you add your name."}
      </p>
      <form onSubmit={save} className="mt-3 flex flex-wrap items-end gap-3" noValidate>
        <label className="flex flex-col gap-1 text-sm font-medium">
          First name
          <input
            name="firstName"
            autoComplete="given-name"
            maxLength={256}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-normal"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Last name
          <input
            name="lastName"
            autoComplete="family-name"
            maxLength={256}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-normal"
          />
        </label>
        <button type="submit" disabled={saving} className={PRIMARY_BUTTON}>
          {saving ? "Saving…" : "Save name"}
        </button>
        <button
          type="button"
          onClick={dismiss}
          className="rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-sky-100"
        >
          Not now
        </button>
      </form>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
