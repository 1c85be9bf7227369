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
      action={() => deleteProjectAction(slug, projectId)}
    />
  );
}
