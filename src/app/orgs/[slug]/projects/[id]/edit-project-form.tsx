"use client";

import { useActionState } from "react";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { type ProjectFormState, updateProjectAction } from "../../actions";
import { ProjectFields } from "../../project-fields";

const INITIAL: ProjectFormState = { status: "idle" };

export function EditProjectForm({
  slug,
  projectId,
  name,
  description,
}: {
  slug: string;
  projectId: string;
  name: string;
  description: string;
}) {
  const [state, action, pending] = useActionState(
    updateProjectAction.bind(null, slug, projectId),
    INITIAL,
  );
  return (
    <form
      action={action}
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="edit-project-heading"
    >
      <h2 id="edit-project-heading" className="font-semibold">
        Edit project
      </h2>
      <ProjectFields idPrefix="edit-project" state={state} defaults={{ name, description }} />
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
          {pending ? "Saving…" : "Save changes"}
        </button>
        <p
          role="status"
          className={state.status === "error" ? "text-sm text-red-700" : "text-sm text-green-700"}
        >
          {state.message}
        </p>
      </div>
    </form>
  );
}
