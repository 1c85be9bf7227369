"use client";

import { useState, useTransition } from "react";
import { useNotify } from "./notices";

export type ActionResult = { ok: boolean; message: string };

// A destructive action that asks once more, in place: the first click arms the button, the
// second runs the action; a failure is shown beside it, a success as a notice (the row holding
// the button is usually gone).
export function ConfirmInPlaceButton({
  verb,
  pendingLabel,
  name,
  warning,
  action,
}: {
  verb: string;
  pendingLabel: string;
  name: string;
  warning?: string;
  action: () => Promise<ActionResult>;
}) {
  const [armed, setArmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const notify = useNotify();

  if (!armed) {
    return (
      <button
        type="button"
        onClick={() => setArmed(true)}
        className="rounded-md px-3 py-1.5 text-sm text-red-700 hover:bg-red-50"
        aria-label={`${verb} ${name}`}
      >
        {verb}
      </button>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      {warning && <span className="text-sm text-slate-700">{warning}</span>}
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await action();
            if (result.ok) notify(result.message);
            else setError(result.message);
          })
        }
        className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
      >
        {pending ? pendingLabel : `${verb} “${name}”`}
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
