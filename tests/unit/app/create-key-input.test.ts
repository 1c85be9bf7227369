import { describe, expect, it } from "vitest";
import { parseCreateKeyForm } from "@/api-keys/create-key-input";

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) data.append(name, v);
  }
  return data;
}

const VALID = { name: "CI deploys", scopes: ["projects:read"], expiry: "30d", description: "" };

describe("the create-API-key form", () => {
  it("turns a valid form into what Clerk's create takes", () => {
    const parsed = parseCreateKeyForm(
      form({
        name: "  CI deploys ",
        scopes: ["projects:read", "projects:write", "projects:read"],
        expiry: "30d",
        description: " Used by the deploy pipeline ",
      }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        name: "CI deploys",
        scopes: ["projects:read", "projects:write"],
        secondsUntilExpiration: 30 * 86_400,
        description: "Used by the deploy pipeline",
      },
    });
  });

  it("creates a key that never expires, without a description, when asked to", () => {
    const parsed = parseCreateKeyForm(form({ ...VALID, expiry: "never" }));
    expect(parsed).toMatchObject({
      ok: true,
      value: { secondsUntilExpiration: null, description: null },
    });
  });

  it("refuses a key without scopes, saying such a key could do nothing", () => {
    const parsed = parseCreateKeyForm(form({ name: "empty", expiry: "never" }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.fieldErrors.scopes).toMatch(/at least one scope.*can do nothing/);
  });

  it("refuses a scope this API does not know", () => {
    const parsed = parseCreateKeyForm(form({ ...VALID, scopes: ["projects:read", "admin"] }));
    expect(parsed).toMatchObject({ ok: false, fieldErrors: { scopes: expect.any(String) } });
  });

  it.each([
    ["shorter than 3 characters", "ab"],
    ["longer than 64 characters", "n".repeat(65)],
    ["more than one line", "deploy\nkey"],
    ["only whitespace", "    "],
  ])("refuses a name %s", (_label, name) => {
    const parsed = parseCreateKeyForm(form({ ...VALID, name }));
    expect(parsed).toMatchObject({ ok: false, fieldErrors: { name: expect.any(String) } });
  });

  it("refuses an expiry that is not one of the choices", () => {
    const parsed = parseCreateKeyForm(form({ ...VALID, expiry: "5y" }));
    expect(parsed).toMatchObject({ ok: false, fieldErrors: { expiry: expect.any(String) } });
  });

  it("refuses a description over 255 characters", () => {
    const parsed = parseCreateKeyForm(form({ ...VALID, description: "d".repeat(256) }));
    expect(parsed).toMatchObject({ ok: false, fieldErrors: { description: expect.any(String) } });
  });

  it("reports every invalid field at once and gives back what was typed", () => {
    const parsed = parseCreateKeyForm(form({ name: "x", expiry: "soon", description: "keep me" }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.fieldErrors).sort()).toEqual(["expiry", "name", "scopes"]);
    expect(parsed.values).toEqual({
      name: "x",
      description: "keep me",
      scopes: [],
      expiry: "soon",
    });
  });

  it("ignores the fields Next adds to a server action's form data", () => {
    const data = form(VALID);
    data.append("$ACTION_REF_1", "");
    data.append("$ACTION_1:0", '{"id":"abc"}');
    expect(parseCreateKeyForm(data).ok).toBe(true);
  });
});
