import { z } from "zod";

// One definition of a valid project, shared by the dashboard's form and the JSON API.
export const ProjectInput = z
  .object({
    name: z
      .string({ error: "Name is required." })
      .trim()
      .min(1, "Name is required.")
      .max(100, "Name must be at most 100 characters."),
    description: z
      .string()
      .trim()
      .max(1000, "Description must be at most 1000 characters.")
      .transform((v) => (v === "" ? null : v))
      .nullable()
      .optional(),
  })
  .strict();

export type ProjectInput = z.infer<typeof ProjectInput>;
