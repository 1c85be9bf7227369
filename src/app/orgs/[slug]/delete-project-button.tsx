"use client";

import { useState, useTransition } from "react";
import { deleteProjectAction } from "./actions";

// Deleting asks once more, in place: the first click arms the button, the second deletes.
export function DeleteProjectButton({
  slug,
  projectId,
  name,
}: {
  slug: string;
  projectId: string;
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
        aria-label={`Delete ${name}`}
      >
        Delete
      </button>
    );
  }
  return (
    <div className="flex items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await deleteProjectAction(slug, projectId);
            if (!result.ok) setError(result.message);
          })
        }
        className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
      >
        {pending ? "Deleting…" : `Delete “${name}”`}
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
