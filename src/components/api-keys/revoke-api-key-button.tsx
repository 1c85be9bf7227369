"use client";

import { revokeApiKeyAction } from "@/api-keys/actions";
import type { KeyOwnerTarget } from "@/api-keys/key-owner";
import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";
import { useReverified } from "@/components/use-reverified";

export function RevokeApiKeyButton({
  target,
  keyId,
  name,
}: {
  target: KeyOwnerTarget;
  keyId: string;
  name: string;
}) {
  // Revoking may first need the user to verify again (Clerk's modal), then it is retried.
  const revoke = useReverified(
    () => revokeApiKeyAction(target, keyId),
    () => ({ ok: false, message: "You closed the verification: the key was not revoked." }),
  );
  return (
    <ConfirmInPlaceButton
      verb="Revoke"
      pendingLabel="Revoking…"
      name={name}
      warning="Scripts using it stop working at once."
      action={revoke}
    />
  );
}
