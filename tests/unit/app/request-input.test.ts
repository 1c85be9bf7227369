import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, parseJsonBody, parseQuery } from "@/http/request-input";
import { ProjectInput, ProjectPatch } from "@/projects/project-input";

function post(body: string, contentType = "application/json") {
  return new Request("http://app.test/api/v1/projects", {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
}

describe("request input", () => {
  it("accepts a valid body and trims it", async () => {
    const parsed = await parseJsonBody(post(JSON.stringify({ name: "  Apollo " })), ProjectInput);
    expect(parsed).toEqual({ ok: true, value: { name: "Apollo" } });
  });

  it("names every invalid and every unknown field in one 422 problem", async () => {
    const parsed = await parseJsonBody(
      post(JSON.stringify({ name: "", description: 7, tenant_id: "org_x", owner: "me" })),
      ProjectInput,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toMatchObject({ status: 422, type: "/problems/invalid-request" });
    const fields = (parsed.problem.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(["description", "name", "owner", "tenant_id"]);
    expect(parsed.problem.detail).toContain("tenant_id");
  });

  it("refuses the NUL character Postgres cannot store, naming each field that holds it", async () => {
    const parsed = await parseJsonBody(
      post(JSON.stringify({ name: "a\u0000b", description: "fine" })),
      ProjectInput,
    );
    expect(parsed).toMatchObject({
      ok: false,
      problem: {
        status: 422,
        errors: [{ field: "name", message: "must not contain the NUL character (U+0000)" }],
      },
    });
    const query = parseQuery(new URLSearchParams("limit=1%00"), z.object({ limit: z.string() }));
    expect(query).toMatchObject({ ok: false, problem: { errors: [{ field: "limit" }] } });
  });

  it("refuses a lone UTF-16 surrogate, which is not Unicode, naming the field", async () => {
    // As a client sends it: an escape in the JSON text.
    const parsed = await parseJsonBody(
      post('{"name":"ok","description":"a\\ud800b"}'),
      ProjectInput,
    );
    expect(parsed).toMatchObject({
      ok: false,
      problem: {
        status: 422,
        errors: [
          {
            field: "description",
            message: "must be valid Unicode (it holds a lone UTF-16 surrogate)",
          },
        ],
      },
    });
    // A pair is a character like any other.
    const emoji = await parseJsonBody(post('{"name":"\\ud83d\\ude80 launch"}'), ProjectInput);
    expect(emoji).toEqual({ ok: true, value: { name: "🚀 launch" } });
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels before walking it`, async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const parsed = await parseJsonBody(post(`{"name":"x","description":${deep}}`), ProjectInput);
    expect(parsed).toMatchObject({
      ok: false,
      problem: {
        status: 422,
        errors: [{ field: "body", message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
      },
    });
    // Brackets inside strings are text, not nesting.
    const text = await parseJsonBody(post(JSON.stringify({ name: "[".repeat(100) })), ProjectInput);
    expect(text.ok).toBe(true);
  });

  it("reports a body that is not JSON on the field `body`", async () => {
    const parsed = await parseJsonBody(post("{name:"), ProjectInput);
    expect(parsed).toMatchObject({
      ok: false,
      problem: { status: 422, errors: [{ field: "body", message: "is not valid JSON" }] },
    });
  });

  it("asks for at least one field in a partial update", async () => {
    const parsed = await parseJsonBody(post("{}"), ProjectPatch);
    expect(parsed).toMatchObject({
      ok: false,
      problem: { status: 422, errors: [{ field: "body" }] },
    });
  });

  it("refuses a body that is not application/json with 415", async () => {
    const parsed = await parseJsonBody(post('{"name":"x"}', "text/plain"), ProjectInput);
    expect(parsed).toMatchObject({ ok: false, problem: { status: 415 } });
  });

  it("accepts a JSON media type with parameters or a +json suffix", async () => {
    for (const type of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
      const parsed = await parseJsonBody(post('{"name":"x"}', type), ProjectInput);
      expect(parsed.ok, type).toBe(true);
    }
  });

  it("refuses a body over the size limit with 413, even without a content-length", async () => {
    const big = JSON.stringify({ name: "x", description: "y".repeat(MAX_BODY_BYTES) });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const req = new Request("http://app.test/x", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(await parseJsonBody(req, ProjectInput)).toMatchObject({
      ok: false,
      problem: { status: 413 },
    });
  });

  it("rejects unknown query parameters by name", () => {
    const schema = z.object({ limit: z.coerce.number().optional() }).strict();
    const parsed = parseQuery(new URLSearchParams("limit=2&sort=name"), schema);
    expect(parsed).toMatchObject({
      ok: false,
      problem: { errors: [{ field: "sort", message: "is not a known field" }] },
    });
  });
});
