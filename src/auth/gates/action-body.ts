import type { NextRequest } from "next/server";
import { MAX_JSON_DEPTH, nestsWithin, readBodyText } from "@/http/request-input";

// A server action's arguments, as React encodes them in the browser: a JSON text (or, with files
// among them, a multipart form). Next decodes them without a word of checking: anything else made
// its decoder throw, and the post a 500. What is not that shape is refused here, before Next
// decodes it: not JSON, not an array, or nested past MAX_JSON_DEPTH (React's decoder walks it
// recursively).

const MAX_ACTION_BYTES = 1024 * 1024;

export function isServerActionPost(req: NextRequest): boolean {
  return req.method === "POST" && req.headers.has("next-action");
}

// Why the body cannot be a server action's arguments, or null when it may be.
export async function malformedActionBody(req: NextRequest): Promise<string | null> {
  if (/^multipart\/form-data/i.test(req.headers.get("content-type") ?? "")) return null;
  const text = await readBodyText(req, MAX_ACTION_BYTES);
  if (text === null) return `The body must be at most ${MAX_ACTION_BYTES} bytes.`;
  if (!nestsWithin(text, MAX_JSON_DEPTH)) {
    return `A server action's arguments nest at most ${MAX_JSON_DEPTH} levels.`;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "The body is not a server action's arguments.";
  }
  // React encodes the argument list, an array, whatever the action takes: Next spreads it into the
  // call, and anything else (a bare number, an object) made that throw.
  return Array.isArray(value) ? null : "A server action's arguments are a JSON array.";
}
