"use client";

import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";
import { useReverified } from "@/components/use-reverified";
import { deleteProjectAction } from "./actions";

export function DeleteProjectButton({
  slug,
  projectId,
  name,
}: {
  slug: string;
  projectId: string;
  name: string;
}) {
  // Deleting may first need the user to verify again (Clerk's modal), then it is retried.
  const remove = useReverified(
    () => deleteProjectAction(slug, projectId),
    () => ({ ok: false, message: "You closed the verification: the project was not deleted." }),
  );
  return (
    <ConfirmInPlaceButton
      verb="Delete"
      pendingLabel="Deleting…"
      name={name}
      action={async () => {
        const result = await remove();
        return result.ok ? { ok: true, message: `Deleted “${name}”.` } : result;
      }}
    />
  );
}
