"use client";

import { useActionState } from "react";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { createProjectAction, type ProjectFormState } from "./actions";
import { ProjectFields } from "./project-fields";

const INITIAL: ProjectFormState = { status: "idle" };

export function CreateProjectForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(createProjectAction.bind(null, slug), INITIAL);
  // After a successful create the form is reset by re-keying it; after an error it keeps the input.
  const formKey = state.status === "created" ? state.message : "form";
  return (
    <form
      key={formKey}
      action={action}
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="new-project-heading"
    >
      <h2 id="new-project-heading" className="font-semibold">
        New project
      </h2>
      <ProjectFields idPrefix="project" state={state} />
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
          {pending ? "Creating…" : "Create project"}
        </button>
        <p
          role="status"
          className={state.status === "error" ? "text-sm text-red-700" : "text-sm text-green-700"}
        >
          {state.upgradeTo ? null : state.message}
        </p>
      </div>
      {state.upgradeTo && (
        <UpgradePrompt
          slug={slug}
          title="Upgrade to create more projects"
          detail={state.message ?? ""}
          plans={state.upgradeTo}
        />
      )}
    </form>
  );
}
