import { z } from "zod";
import { API_SCOPES } from "@/auth/api-scopes";

// What the settings form may ask Clerk to create. Clerk's own limits: a name of at least 3
// characters with no surrounding whitespace, a description of at most 255.
export const EXPIRY_OPTIONS = [
  { value: "never", label: "Never", seconds: null },
  { value: "1d", label: "1 day", seconds: 86_400 },
  { value: "7d", label: "7 days", seconds: 7 * 86_400 },
  { value: "30d", label: "30 days", seconds: 30 * 86_400 },
  { value: "90d", label: "90 days", seconds: 90 * 86_400 },
  { value: "365d", label: "1 year", seconds: 365 * 86_400 },
] as const;

type ExpiryValue = (typeof EXPIRY_OPTIONS)[number]["value"];
const EXPIRY_VALUES = EXPIRY_OPTIONS.map((o) => o.value) as [ExpiryValue, ...ExpiryValue[]];

export const CreateKeyInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(3, "Name must be at least 3 characters.")
      .max(64, "Name must be at most 64 characters.")
      .regex(/^[^\p{Cc}]*$/u, "Name must be a single line of text."),
    description: z
      .string()
      .trim()
      .max(255, "Description must be at most 255 characters.")
      .transform((v) => (v === "" ? null : v)),
    scopes: z
      .array(z.enum(API_SCOPES, { error: "Choose scopes from the list." }))
      // Least privilege: a key without scopes could do nothing, so none is never what was meant.
      .min(1, "Choose at least one scope: a key without scopes can do nothing.")
      .transform((scopes) => [...new Set(scopes)]),
    expiry: z.enum(EXPIRY_VALUES, { error: "Choose an expiry from the list." }),
  })
  .strict();

export type CreateKeyField = keyof z.input<typeof CreateKeyInput>;

export type CreateKeyValues = {
  name: string;
  description: string;
  scopes: string[];
  expiry: string;
};

// `values` is what was typed, to give back to the form whenever the key is not created.
export type ParsedCreateKey = { values: CreateKeyValues } & (
  | {
      ok: true;
      value: {
        name: string;
        description: string | null;
        scopes: string[];
        secondsUntilExpiration: number | null;
      };
    }
  | { ok: false; fieldErrors: Partial<Record<CreateKeyField, string>> }
);

// Reads only the form's own fields: Next adds its own ($ACTION_...) entries to a server action's
// FormData.
export function parseCreateKeyForm(posted: FormData): ParsedCreateKey {
  // A server action's caller may post anything in the form's place: that is an empty form.
  const form = posted instanceof FormData ? posted : new FormData();
  const values: CreateKeyValues = {
    name: String(form.get("name") ?? ""),
    description: String(form.get("description") ?? ""),
    scopes: form.getAll("scopes").map(String),
    expiry: String(form.get("expiry") ?? "never"),
  };
  const parsed = CreateKeyInput.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<CreateKeyField, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as CreateKeyField;
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, fieldErrors, values };
  }
  const { expiry, ...rest } = parsed.data;
  const seconds = EXPIRY_OPTIONS.find((o) => o.value === expiry)?.seconds ?? null;
  return { ok: true, value: { ...rest, secondsUntilExpiration: seconds }, values };
}
