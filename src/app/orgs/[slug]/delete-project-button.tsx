"use client";

import { ConfirmInPlaceButton } from "@/components/confirm-in-place-button";
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
  return (
    <ConfirmInPlaceButton
      verb="Delete"
      pendingLabel="Deleting…"
      name={name}
      action={async () => {
        const result = await deleteProjectAction(slug, projectId);
        return result.ok ? { ok: true, message: `Deleted “${name}”.` } : result;
      }}
    />
  );
}
