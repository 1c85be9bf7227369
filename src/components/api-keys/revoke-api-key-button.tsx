"use client";

import { revokeApiKeyAction } from "@/api-keys/actions";
import type { KeyOwnerTarget } from "@/api-keys/key-owner";
import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";

export function RevokeApiKeyButton({
  target,
  keyId,
  name,
}: {
  target: KeyOwnerTarget;
  keyId: string;
  name: string;
}) {
  return (
    <ConfirmInPlaceButton
      verb="Revoke"
      pendingLabel="Revoking…"
      name={name}
      warning="Scripts using it stop working at once."
      action={() => revokeApiKeyAction(target, keyId)}
    />
  );
}
