import { sql } from "drizzle-orm";
import { database } from "@/db/client";
import { databaseErrorReason } from "@/db/database-errors";
import { problem, problemResponse } from "@/http/problem";
import { logger } from "@/observability/logger";

const TIMEOUT_MS = 2_000;

// Liveness of what the app needs to serve requests: the database answers a query. A machine
// endpoint: no credentials, and the proxy does not run for it (src/auth/route-table.ts).
export async function GET() {
  try {
    await Promise.race([
      database().db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS)),
    ]);
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    logger.error(
      { route: "/api/health", reason: databaseErrorReason(err) },
      "database check failed",
    );
    return problemResponse(problem("service-unavailable", "The database is not answering."), {
      "retry-after": "5",
    });
  }
}
