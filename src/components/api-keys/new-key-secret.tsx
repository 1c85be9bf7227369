"use client";

import { PRIMARY_BUTTON } from "@/components/button-styles";
import { CopyButton } from "./copy-button";

// The only time the secret is ever shown: Clerk keeps just a hash of it.
export function NewKeySecret({
  name,
  scopes,
  secret,
  onDone,
}: {
  name: string;
  scopes: string[];
  secret: string;
  onDone: () => void;
}) {
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const path = scopes.includes("projects:read") ? "/api/v1/projects" : "/api/v1/me";
  const curl = `curl -H "Authorization: Bearer ${secret}" ${origin}${path}`;
  return (
    <section
      aria-labelledby="new-key-heading"
      className="flex flex-col gap-3 rounded-lg border border-green-300 bg-green-50 p-4"
    >
      <h2 id="new-key-heading" className="font-semibold">
        Created “{name}”. Copy its secret now
      </h2>
      <p className="text-sm text-slate-700">
        This is the only time the secret is shown. Store it somewhere safe, such as your secret
        manager; if you lose it, revoke the key and create a new one.
      </p>
      <label htmlFor="new-key-secret" className="text-sm font-medium">
        Secret
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          id="new-key-secret"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <p className="text-sm font-medium">Try it</p>
      {/* Wraps at its spaces, and inside a word (the secret) only where one line cannot hold it. */}
      <pre className="whitespace-pre-wrap wrap-anywhere rounded-md bg-slate-900 p-3 text-sm text-slate-100">
        <code>{curl}</code>
      </pre>
      <div className="flex flex-wrap items-center gap-3">
        <CopyButton text={curl} label="Copy curl command" />
        <button type="button" onClick={onDone} className={PRIMARY_BUTTON}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
