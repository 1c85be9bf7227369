import type { ProjectFormState } from "./actions";

// The name and description inputs, shared by the create form and the project page's edit form:
// the limits the API enforces, the field errors it reports, and what the user typed kept.
export function ProjectFields({
  idPrefix,
  state,
  defaults,
}: {
  idPrefix: string;
  state: ProjectFormState;
  defaults?: { name: string; description: string };
}) {
  const values = state.values ?? defaults;
  return (
    <>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${idPrefix}-name`} className="text-sm font-medium">
          Name
        </label>
        <input
          id={`${idPrefix}-name`}
          name="name"
          required
          maxLength={100}
          defaultValue={values?.name}
          aria-invalid={Boolean(state.fieldErrors?.name)}
          aria-describedby={state.fieldErrors?.name ? `${idPrefix}-name-error` : undefined}
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {state.fieldErrors?.name && (
          <p id={`${idPrefix}-name-error`} className="text-sm text-red-700">
            {state.fieldErrors.name}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${idPrefix}-description`} className="text-sm font-medium">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id={`${idPrefix}-description`}
          name="description"
          rows={3}
          maxLength={1000}
          defaultValue={values?.description}
          aria-invalid={Boolean(state.fieldErrors?.description)}
          aria-describedby={
            state.fieldErrors?.description ? `${idPrefix}-description-error` : undefined
          }
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {state.fieldErrors?.description && (
          <p id={`${idPrefix}-description-error`} className="text-sm text-red-700">
            {state.fieldErrors.description}
          </p>
        )}
      </div>
    </>
  );
}
