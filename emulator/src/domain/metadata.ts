import type { Metadata } from "../store/records";

// Clerk's metadata PATCH semantics: a deep merge in which a null value deletes the key.
export function mergeMetadata(current: Metadata, patch: Metadata): Metadata {
  const out: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = mergeMetadata(out[key] as Metadata, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Metadata {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
