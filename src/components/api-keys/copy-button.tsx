"use client";

import { useState } from "react";

// Copies `text`; where the clipboard is unavailable (plain http on another host) it says so, and
// the text stays selectable next to the button.
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setStatus("copied"),
            () => setStatus("failed"),
          )
        }
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        {label}
      </button>
      <span role="status" className="text-sm text-slate-600">
        {status === "copied" && "Copied."}
        {status === "failed" && "Copying failed: select the text and copy it."}
      </span>
    </span>
  );
}
