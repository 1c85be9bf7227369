// `npm run clerk:sync`: pages through Clerk's users, organizations and memberships (Backend API,
// through @clerk/backend), then reads each organization's Clerk Billing subscription, and converges
// the database with them: creates, updates, and tombstones (ends, for subscription items) what
// Clerk no longer has. Safe to run at any time, also while webhooks arrive.
//
// Which Clerk: CLERK_SECRET_KEY (and CLERK_API_URL, if set) from the environment or .env.local;
// without a key, the emulator of a running `npm run dev`. Which database: DATABASE_URL; without
// one, the embedded database of a running `npm run dev`.
import { createClerkClient } from "@clerk/backend";
import nextEnv from "@next/env";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { runMigrations } from "../src/db/migrate";
import * as schema from "../src/db/schema";
import { RECONCILED_BY_CLERK, reconcileWithClerk } from "../src/webhooks/clerk-reconcile";
import { clerkTarget } from "./lib/clerk-target";
import { requireClerk, requireDatabase } from "./lib/preflight";

nextEnv.loadEnvConfig(process.cwd());
const env = process.env;

async function main() {
  const target = clerkTarget(env);
  const databaseUrl =
    env.DATABASE_URL ??
    `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_DB_PORT ?? 54320}/postgres`;
  console.log(`clerk:sync from ${target.label}`);
  console.log(
    `clerk:sync into ${env.DATABASE_URL ? "DATABASE_URL" : `the embedded database (${databaseUrl})`}`,
  );

  await requireClerk(target, env);
  await requireDatabase(databaseUrl, env);
  await runMigrations(databaseUrl);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const clerk = createClerkClient({ secretKey: target.secretKey, apiUrl: target.apiUrl });
    const report = await reconcileWithClerk(clerk, drizzle(sql, { schema }), {
      progress: (line) => console.log(`  ${line}`),
      source: RECONCILED_BY_CLERK,
    });
    console.log(
      `clerk:sync done: ${report.users.listed} users, ${report.organizations.listed} organizations, ` +
        `${report.memberships.listed} memberships, ${report.subscriptions.listed} subscriptions in Clerk`,
    );
  } finally {
    await sql.end();
  }
}

main().catch((err: unknown) => {
  console.error("clerk:sync failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
