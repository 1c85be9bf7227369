"use client";

import { useActionState, useState } from "react";
import { type CreateKeyState, createApiKeyAction } from "@/api-keys/actions";
import { EXPIRY_OPTIONS, parseCreateKeyForm } from "@/api-keys/create-key-input";
import type { KeyOwnerTarget } from "@/api-keys/key-owner";
import { API_SCOPES } from "@/auth/api-scopes";
import { PRIMARY_BUTTON } from "@/components/button-styles";
import { useReverified } from "@/components/use-reverified";
import { NewKeySecret } from "./new-key-secret";
import { SCOPE_DESCRIPTIONS } from "./scope-descriptions";

const INITIAL: CreateKeyState = { status: "idle" };
const DEFAULT_EXPIRY = "90d";

export function CreateApiKeyForm({ target }: { target: KeyOwnerTarget }) {
  // Creating a key may first need the user to verify again (Clerk's modal), then it is retried.
  const create = useReverified(
    (prev: CreateKeyState, form: FormData) => createApiKeyAction(target, prev, form),
    (_prev, form): CreateKeyState => ({
      status: "error",
      message: "You closed the verification: the key was not created.",
      fieldErrors: {},
      values: parseCreateKeyForm(form).values,
    }),
  );
  const [state, action, pending] = useActionState(create, INITIAL);
  const [storedKeyId, setStoredKeyId] = useState<string | null>(null);
  const created = state.status === "created" ? state.key : null;
  const failed = state.status === "error" ? state : null;
  const errors = failed?.fieldErrors ?? {};
  const values = failed?.values;

  if (created && storedKeyId !== created.id) {
    return (
      <NewKeySecret
        name={created.name}
        scopes={created.scopes}
        secret={created.secret}
        onDone={() => setStoredKeyId(created.id)}
      />
    );
  }
  return (
    <form
      // A new key clears the form; a failed attempt keeps what was typed.
      key={created?.id ?? "form"}
      action={action}
      noValidate
      className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="new-key-form-heading"
    >
      <h2 id="new-key-form-heading" className="font-semibold">
        New API key
      </h2>
      <div className="flex flex-col gap-1">
        <label htmlFor="key-name" className="text-sm font-medium">
          Name
        </label>
        <input
          id="key-name"
          name="name"
          required
          minLength={3}
          maxLength={64}
          defaultValue={values?.name}
          aria-invalid={Boolean(errors.name)}
          aria-describedby={errors.name ? "key-name-error" : undefined}
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {errors.name && (
          <p id="key-name-error" className="text-sm text-red-700">
            {errors.name}
          </p>
        )}
      </div>
      <fieldset
        className="flex flex-col gap-2"
        aria-describedby={errors.scopes ? "key-scopes-error" : "key-scopes-hint"}
      >
        <legend className="text-sm font-medium">Scopes</legend>
        <p id="key-scopes-hint" className="text-sm text-slate-600">
          Choose only what the key needs. A key can do exactly what its scopes allow.
        </p>
        {API_SCOPES.map((scope) => (
          <label key={scope} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="scopes"
              value={scope}
              defaultChecked={values?.scopes.includes(scope)}
              className="mt-1"
            />
            <span>
              <code className="font-mono">{scope}</code>{" "}
              <span className="text-slate-600">{SCOPE_DESCRIPTIONS[scope]}</span>
            </span>
          </label>
        ))}
        {errors.scopes && (
          <p id="key-scopes-error" className="text-sm text-red-700">
            {errors.scopes}
          </p>
        )}
      </fieldset>
      <div className="flex flex-col gap-1">
        <label htmlFor="key-expiry" className="text-sm font-medium">
          Expires after
        </label>
        <select
          id="key-expiry"
          name="expiry"
          defaultValue={values?.expiry ?? DEFAULT_EXPIRY}
          aria-invalid={Boolean(errors.expiry)}
          aria-describedby={errors.expiry ? "key-expiry-error" : undefined}
          className="w-fit rounded-md border border-slate-300 bg-white px-3 py-2"
        >
          {EXPIRY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {errors.expiry && (
          <p id="key-expiry-error" className="text-sm text-red-700">
            {errors.expiry}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="key-description" className="text-sm font-medium">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id="key-description"
          name="description"
          rows={2}
          maxLength={255}
          defaultValue={values?.description}
          aria-invalid={Boolean(errors.description)}
          aria-describedby={errors.description ? "key-description-error" : undefined}
          className="rounded-md border border-slate-300 px-3 py-2"
        />
        {errors.description && (
          <p id="key-description-error" className="text-sm text-red-700">
            {errors.description}
          </p>
        )}
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className={PRIMARY_BUTTON}>
          {pending ? "Creating…" : "Create key"}
        </button>
        <p role="status" className="text-sm text-red-700">
          {failed?.message}
        </p>
      </div>
    </form>
  );
}
