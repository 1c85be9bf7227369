import { clerkClient } from "@clerk/nextjs/server";
import type { z } from "zod";
import { machineOperation, UNSERVED_METHODS } from "@/api/api-operation";
import type { ReconcileResource } from "@/api/resources";
import { apiAuditSource } from "@/audit/audit-source";
import { database } from "@/db/client";
import { jsonResponse } from "@/http/json-response";
import { problem } from "@/http/problem";
import { reconcileWithClerk } from "@/webhooks/clerk-reconcile";
import { runExclusively } from "@/webhooks/reconcile-lock";

// Converges the database with Clerk, as `npm run clerk:sync` does, for a machine of this
// deployment (`npm run job:reconcile`, on a schedule). Idempotent; one run at a time; stopped at
// its deadline (what it wrote stays, the next run converges the rest).
const RECONCILE_DEADLINE_MS = 60_000;

export const POST = machineOperation(
  "/api/internal/reconcile",
  async ({ principal, context, signal }) => {
    const started = Date.now();
    const run = await runExclusively(async () =>
      reconcileWithClerk(await clerkClient(), database().db, {
        signal,
        source: apiAuditSource(principal, context),
      }),
    );
    if (!run.ran) {
      return problem("conflict", "A reconciliation is running already; this one was not started.");
    }
    const body: z.infer<typeof ReconcileResource> = {
      ...run.value,
      duration_ms: Date.now() - started,
    };
    return jsonResponse(body);
  },
  RECONCILE_DEADLINE_MS,
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = UNSERVED_METHODS;
