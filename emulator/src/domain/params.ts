import { z } from "zod";
import { ClerkApiError, type ClerkErrorJSON } from "../http/clerk-errors";

// Turns zod issues into Clerk's 422 envelope, one error per bad parameter, so a client can show
// each message under its field.
// Clerk answers bad input with 422 on most endpoints; its API-key endpoints use 400.
export function parseParams<T extends z.ZodType>(
  schema: T,
  input: unknown,
  status: 400 | 422 = 422,
): z.infer<T> {
  // With the input in its issues (zod 4 leaves it out unless asked), a parameter sent with the
  // wrong type is told apart from one not sent.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const errors: ClerkErrorJSON[] = result.error.issues.flatMap((issue): ClerkErrorJSON[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        code: "form_param_unknown",
        message: `${key} is not a valid parameter`,
        long_message: `${key} is not a valid parameter for this request.`,
        meta: { param_name: key },
      }));
    }
    const param = issue.path.map(String).join(".") || "body";
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    return [
      missing
        ? {
            code: "form_param_missing",
            message: `${param} is missing`,
            long_message: `${param} must be included.`,
            meta: { param_name: param },
          }
        : {
            code: "form_param_format_invalid",
            message: `${param} is invalid`,
            long_message: `${param}: ${issue.message}.`,
            meta: { param_name: param },
          },
    ];
  });
  throw new ClerkApiError(status, errors);
}

// A boolean as clerk-js sends it in a form body ("true" / "false"), or as JSON.
export const FormBoolean = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((v) => v === "true"),
]);
