import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseParams } from "../../../emulator/src/domain/params";
import { ClerkApiError } from "../../../emulator/src/http/clerk-errors";

const Body = z
  .object({ user_id: z.string(), expires_in_seconds: z.number().int().min(1) })
  .strict();

function refusal(input: unknown) {
  try {
    parseParams(Body, input);
  } catch (err) {
    if (err instanceof ClerkApiError) return err;
    throw err;
  }
  throw new Error("parseParams took it");
}

describe("parseParams", () => {
  it("answers 422 with one error per parameter: missing, of the wrong type, out of range, unknown", () => {
    const err = refusal({ expires_in_seconds: "soon", colour: "red" });
    expect(err.status).toBe(422);
    expect(err.errors.map((e) => [e.code, e.meta?.param_name])).toEqual(
      expect.arrayContaining([
        ["form_param_missing", "user_id"],
        ["form_param_format_invalid", "expires_in_seconds"],
        ["form_param_unknown", "colour"],
      ]),
    );
    expect(refusal({ user_id: "user_1", expires_in_seconds: 0 }).errors[0]?.code).toBe(
      "form_param_format_invalid",
    );
  });

  it("returns the parsed value when it fits", () => {
    expect(parseParams(Body, { user_id: "user_1", expires_in_seconds: 5 })).toEqual({
      user_id: "user_1",
      expires_in_seconds: 5,
    });
  });
});
