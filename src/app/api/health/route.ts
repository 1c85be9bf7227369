import { sql } from "drizzle-orm";
import { database } from "@/db/client";
import { problem, problemResponse } from "@/http/problem";

const TIMEOUT_MS = 2_000;

// Liveness of what the app needs to serve requests: the database answers a query.
export async function GET() {
  try {
    await Promise.race([
      database().db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS)),
    ]);
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    console.error("health: database check failed:", err instanceof Error ? err.message : err);
    return problemResponse(problem("service-unavailable", "The database is not answering."), {
      "cache-control": "no-store",
    });
  }
}
