"use client";

import { useTransition } from "react";
import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";
import { useNotify } from "@/components/notices";
import { setAppConnectionAction } from "./actions";

export function DisconnectAppButton({ clientId, name }: { clientId: string; name: string }) {
  return (
    <ConfirmInPlaceButton
      verb="Disconnect"
      pendingLabel="Disconnecting…"
      name={name}
      warning="Its access ends now, whatever tokens it holds."
      action={() => setAppConnectionAction(clientId, true)}
    />
  );
}

// A disconnected application acts again only once its user says so here.
export function ReconnectAppButton({ clientId, name }: { clientId: string; name: string }) {
  const [pending, startTransition] = useTransition();
  const notify = useNotify();
  return (
    <button
      type="button"
      disabled={pending}
      aria-label={`Reconnect ${name}`}
      onClick={() =>
        startTransition(async () => notify((await setAppConnectionAction(clientId, false)).message))
      }
      className="rounded-md px-3 py-1.5 text-sm text-brand-700 hover:bg-slate-100 disabled:opacity-60"
    >
      {pending ? "Reconnecting…" : "Reconnect"}
    </button>
  );
}
