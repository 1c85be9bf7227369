import { z } from "zod";
import { AUDIT_KINDS } from "@/audit/audit-kinds";
import type { TimePosition } from "@/db/keyset";

// Cursors are opaque to clients: base64url JSON that only this module reads or writes, so the
// order a list follows can change without breaking anyone who stored a cursor.
function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function cursorOf<T>(shape: z.ZodType<T>) {
  return z
    .string()
    .max(512, "must be at most 512 characters")
    .transform((text, ctx) => {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
      } catch {
        json = undefined;
      }
      const parsed = shape.safeParse(json);
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: "custom", message: "is not a cursor this list handed out" });
      return z.NEVER;
    })
    .meta({ description: "The `next_cursor` of the previous page." });
}

const limit = z.coerce
  .number({ error: "must be an integer from 1 to 100" })
  .int("must be an integer from 1 to 100")
  .min(1, "must be an integer from 1 to 100")
  .max(100, "must be an integer from 1 to 100")
  .default(20)
  .meta({ description: "Items per page." });

// The latest instant Postgres' timestamptz holds within four-digit years (9999-12-31), in
// microseconds since the epoch: a forged cursor beyond it would overflow the query.
const MAX_MICROS = 253_402_300_799_999_999n;

// Lists ordered newest first by a timestamp (src/db/keyset.ts). Each list has its own kind tag,
// so a cursor handed out by one list is refused by another.
function timeCursorOf(list: string) {
  return cursorOf(
    z
      .object({
        l: z.literal(list),
        t: z.string().refine((t) => /^\d{1,18}$/.test(t) && BigInt(t) <= MAX_MICROS),
        i: z.uuid(),
      })
      .strict()
      .transform(({ t, i }): TimePosition => ({ micros: t, id: i })),
  );
}

function timeCursor(list: string, position: TimePosition): string {
  return encode({ l: list, t: position.micros, i: position.id });
}

export const ProjectListQuery = z
  .object({ limit, cursor: timeCursorOf("projects").optional() })
  .strict();

export function projectCursor(position: TimePosition): string {
  return timeCursor("projects", position);
}

export const AuditEventListQuery = z
  .object({
    limit,
    cursor: timeCursorOf("audit").optional(),
    kind: z
      .enum(AUDIT_KINDS, { error: `must be one of ${AUDIT_KINDS.join(", ")}` })
      .optional()
      .meta({ description: "Only events of this kind." }),
  })
  .strict();

export function auditEventCursor(position: TimePosition): string {
  return timeCursor("audit", position);
}

const MemberCursor = z
  // Membership ids are printable ASCII (a NUL would fail the query).
  .object({ m: z.string().regex(/^[\x21-\x7e]{1,64}$/) })
  .strict()
  .transform(({ m }) => m);

export const MemberListQuery = z
  .object({ limit, cursor: cursorOf(MemberCursor).optional() })
  .strict();

export function memberCursor(membershipId: string): string {
  return encode({ m: membershipId });
}
