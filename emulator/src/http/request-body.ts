import type { IncomingMessage } from "node:http";
import { errors } from "./clerk-errors";

const MAX_BODY_BYTES = 1024 * 1024;

export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.bodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// A form field sent more than once (clerk-js's encoding of an array) becomes an array.
function formFields(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = fields[key];
    fields[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return fields;
}

// Backend API bodies are JSON objects, or arrays for bulk endpoints; an empty body is an empty
// object (the SDK sends none for revoke, delete and body-less POSTs even though it always sets
// Content-Type). The Frontend API also takes form-encoded bodies, which is what clerk-js sends for
// everything but API keys and uploads; an upload (multipart) gives its files as `File` values.
// Handlers check the shape with zod.
export async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
  allowForm: boolean,
): Promise<unknown> {
  if (raw.length === 0) return {};
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (allowForm && mediaType === "application/x-www-form-urlencoded") {
    return formFields(raw.toString("utf8"));
  }
  if (allowForm && mediaType === "multipart/form-data") {
    try {
      const form = await new Response(new Uint8Array(raw), {
        headers: { "content-type": contentType ?? "" },
      }).formData();
      return Object.fromEntries(form);
    } catch {
      throw errors.malformedBody("The multipart request body could not be read.");
    }
  }
  if (mediaType !== "application/json") throw errors.unsupportedContentType();
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw errors.malformedBody();
  }
  if (value === null || typeof value !== "object") throw errors.malformedBody();
  return value;
}
