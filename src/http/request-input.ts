import type { z } from "zod";
import { type Problem, problem } from "@/http/problem";

export type FieldError = { field: string; message: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

// Request bodies of this API are small JSON objects; anything bigger is refused unread.
export const MAX_BODY_BYTES = 16 * 1024;

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

// Postgres text cannot hold U+0000: a string carrying it would fail in the database (a 500), so
// it is refused here, by field, before any schema or query sees it.
function nulFields(value: unknown, path: string[] = []): FieldError[] {
  if (typeof value === "string") {
    return value.includes("\u0000")
      ? [
          {
            field: path.join(".") || "body",
            message: "must not contain the NUL character (U+0000)",
          },
        ]
      : [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => nulFields(item, [...path, key]));
}

function validate<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const unstorable = nulFields(input);
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
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > limit) return null;
  if (!req.body) return "";
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
  return Buffer.concat(chunks).toString("utf8");
}
