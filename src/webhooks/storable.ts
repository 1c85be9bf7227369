import { z } from "zod";
import { LONE_SURROGATE } from "@/http/request-input";

// The values of Clerk's webhook payloads as the database can store them. What a signed event
// carries that cannot be stored as it came is stripped or refused here, never left to fail its
// transaction: that would fail again on every retry (Svix retries for a day and a half). Clerk's
// own data never needs it.

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

// Strings lose U+0000 (Postgres text cannot hold it) and lone UTF-16 surrogates (not Unicode;
// Postgres refuses them in the audit log's JSON).
export const storableText = z
  .string()
  .transform((s) => s.replaceAll("\u0000", "").replace(LONE_SURROGATES, ""));

// The latest instant both JavaScript's Date and Postgres' timestamptz hold (year 275760).
const LATEST_MS = 8.64e15;

// Clerk timestamps are milliseconds since the epoch. One no date can hold makes the event one the
// app cannot read: refused (src/app/api/webhooks/clerk/route.ts answers it 200 "rejected").
export const storableTimestamp = z
  .number()
  .int()
  .nonnegative()
  .max(LATEST_MS, "is past any date that can be stored")
  .transform((ms) => new Date(ms));
