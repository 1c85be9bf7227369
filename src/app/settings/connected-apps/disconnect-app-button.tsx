"use client";

import { useTransition } from "react";
import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";
import { useNotify } from "@/components/notices";
import { useReverified } from "@/components/use-reverified";
import { setAppConnectionAction } from "./actions";

export function DisconnectAppButton({ clientId, name }: { clientId: string; name: string }) {
  return (
    <ConfirmInPlaceButton
      verb="Disconnect"
      pendingLabel="Disconnecting…"
      name={name}
      warning="Its access ends now, whatever tokens it holds."
      action={async () => {
        const result = await setAppConnectionAction(clientId, true);
        // Disconnecting never asks the user to verify again (reconnecting does).
        return "ok" in result
          ? result
          : { ok: false, message: "The application could not be disconnected. Try again." };
      }}
    />
  );
}

// A disconnected application acts again only once its user says so here, in a session verified
// within the last 10 minutes (Clerk's modal asks first otherwise).
export function ReconnectAppButton({ clientId, name }: { clientId: string; name: string }) {
  const [pending, startTransition] = useTransition();
  const notify = useNotify();
  const reconnect = useReverified(
    () => setAppConnectionAction(clientId, false),
    () => ({ ok: false, message: `You closed the verification: “${name}” stays disconnected.` }),
  );
  return (
    <button
      type="button"
      disabled={pending}
      aria-label={`Reconnect ${name}`}
      onClick={() => startTransition(async () => notify((await reconnect()).message))}
      className="rounded-md px-3 py-1.5 text-sm text-brand-700 hover:bg-slate-100 disabled:opacity-60"
    >
      {pending ? "Reconnecting…" : "Reconnect"}
    </button>
  );
}
