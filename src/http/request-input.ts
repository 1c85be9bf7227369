import type { z } from "zod";
import { type Problem, problem } from "@/http/problem";

export type FieldError = { field: string; message: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

// Request bodies of this API are small JSON objects; anything bigger is refused unread.
export const MAX_BODY_BYTES = 16 * 1024;
// The API's bodies are flat objects; anything nested deeper is refused before it is walked (a
// 4 KB body can nest 2,000 levels, enough to overflow a recursive check's stack).
export const MAX_JSON_DEPTH = 32;

// One entry per offending field, so a client can show each message next to its input. An issue
// about the whole body (not an object, no field at all) is reported on `body`.
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join("."),
        message: "is not a known field",
      }));
    }
    return [{ field: issue.path.join(".") || "body", message: issue.message }];
  });
}

export function validationProblem(errors: FieldError[]): Problem {
  const fields = [...new Set(errors.map((e) => e.field))];
  return problem("invalid-request", `Check these fields: ${fields.join(", ")}.`, { errors });
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (code units).
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Strings that cannot be stored as they came, refused here, by field, before any schema or query
// sees them: Postgres text cannot hold U+0000 (the query would fail: a 500), and a lone surrogate
// is not Unicode at all (it would be stored as U+FFFD without a word). `value` is at most
// MAX_JSON_DEPTH deep.
function unstorableFields(value: unknown, path: string[] = []): FieldError[] {
  if (typeof value === "string") {
    const field = path.join(".") || "body";
    if (value.includes("\u0000")) {
      return [{ field, message: "must not contain the NUL character (U+0000)" }];
    }
    if (LONE_SURROGATE.test(value)) {
      return [{ field, message: "must be valid Unicode (it holds a lone UTF-16 surrogate)" }];
    }
    return [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => unstorableFields(item, [...path, key]));
}

// Whether the JSON text nests arrays and objects at most `max` deep, read without parsing it.
export function nestsWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      depth++;
      if (depth > max) return false;
    } else if (c === "}" || c === "]") depth--;
  }
  return true;
}

function validate<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const unstorable = unstorableFields(input);
  if (unstorable.length > 0) return { ok: false, problem: validationProblem(unstorable) };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: validationProblem(fieldErrors(parsed.error.issues)) };
}

export function parseQuery<S extends z.ZodType>(
  params: URLSearchParams,
  schema: S,
): Parsed<z.output<S>> {
  return validate(schema, Object.fromEntries(params));
}

// Reads at most MAX_BODY_BYTES, then validates. Requiring application/json also keeps plain HTML
// forms on other sites from posting here with a visitor's session cookie.
export async function parseJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
): Promise<Parsed<z.output<S>>> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType)) {
    return {
      ok: false,
      problem: problem("unsupported-media-type", "Send the body as application/json."),
    };
  }
  const text = await readBodyText(req, MAX_BODY_BYTES);
  if (text === null) {
    return {
      ok: false,
      problem: problem("content-too-large", `The body must be at most ${MAX_BODY_BYTES} bytes.`),
    };
  }
  if (!nestsWithin(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      problem: validationProblem([
        { field: "body", message: `nests deeper than ${MAX_JSON_DEPTH} levels` },
      ]),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      ok: false,
      problem: validationProblem([{ field: "body", message: "is not valid JSON" }]),
    };
  }
  return validate(schema, body);
}

// The body as text, or null once it passes `limit` bytes: what was declared or read so far decides,
// so an oversized body is never buffered whole.
export async function readBodyText(req: Request, limit: number): Promise<string | null> {
  const bytes = await readBodyBytes(req, limit);
  return bytes === null ? null : Buffer.from(bytes).toString("utf8");
}

export async function readBodyBytes(
  req: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > limit) return null;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
