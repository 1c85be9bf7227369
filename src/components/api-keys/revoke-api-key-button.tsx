"use client";

import { useState, useTransition } from "react";
import { revokeApiKeyAction } from "@/api-keys/actions";
import type { KeyOwnerTarget } from "@/api-keys/key-owner";

// Revoking asks once more, in place: the first click arms the button, the second revokes.
export function RevokeApiKeyButton({
  target,
  keyId,
  name,
}: {
  target: KeyOwnerTarget;
  keyId: string;
  name: string;
}) {
  const [armed, setArmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  if (!armed) {
    return (
      <button
        type="button"
        onClick={() => setArmed(true)}
        className="rounded-md px-3 py-1.5 text-sm text-red-700 hover:bg-red-50"
        aria-label={`Revoke ${name}`}
      >
        Revoke
      </button>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="text-sm text-slate-700">Scripts using it stop working at once.</span>
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await revokeApiKeyAction(target, keyId);
            if (!result.ok) setError(result.message);
          })
        }
        className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
      >
        {pending ? "Revoking…" : `Revoke “${name}”`}
      </button>
      <button
        type="button"
        disabled={pending}
        onClick={() => setArmed(false)}
        className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100"
      >
        Cancel
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
