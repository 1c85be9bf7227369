import { z } from "zod";

// One definition of a valid project, shared by the dashboard's form and the JSON API.
export const ProjectInput = z
  .object({
    name: z
      .string({
        error: (issue) =>
          issue.input === undefined ? "Name is required." : "Name must be a string.",
      })
      .trim()
      .min(1, "Name is required.")
      .max(100, "Name must be at most 100 characters."),
    description: z
      .string({ error: "Description must be a string or null." })
      .trim()
      .max(1000, "Description must be at most 1000 characters.")
      .transform((v) => (v === "" ? null : v))
      .nullable()
      .optional(),
  })
  .strict();

export type ProjectInput = z.infer<typeof ProjectInput>;

// A partial update: a field left out stays as it is; an empty or null description clears it.
export const ProjectPatch = ProjectInput.partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: "Send at least one of name, description.",
    // Only for a body that is otherwise valid: unknown fields are reported on their own.
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ minProperties: 1 });

export type ProjectPatch = z.infer<typeof ProjectPatch>;
