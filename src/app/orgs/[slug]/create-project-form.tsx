"use client";

import { useActionState } from "react";
import { UpgradePrompt } from "@/components/billing/upgrade-prompt";
import { createProjectAction, type ProjectFormState } from "./actions";

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
      <div className="flex flex-col gap-1">
        <label htmlFor="project-name" className="text-sm font-medium">
          Name
        </label>
        <input
          id="project-name"
          name="name"
          required
          maxLength={100}
          defaultValue={state.values?.name}
          aria-invalid={Boolean(state.fieldErrors?.name)}
          aria-describedby={state.fieldErrors?.name ? "project-name-error" : undefined}
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {state.fieldErrors?.name && (
          <p id="project-name-error" className="text-sm text-red-700">
            {state.fieldErrors.name}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="project-description" className="text-sm font-medium">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id="project-description"
          name="description"
          rows={2}
          maxLength={1000}
          defaultValue={state.values?.description}
          aria-invalid={Boolean(state.fieldErrors?.description)}
          aria-describedby={
            state.fieldErrors?.description ? "project-description-error" : undefined
          }
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {state.fieldErrors?.description && (
          <p id="project-description-error" className="text-sm text-red-700">
            {state.fieldErrors.description}
          </p>
        )}
      </div>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
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
