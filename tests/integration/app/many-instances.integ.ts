import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppDatabase, connectAppDatabase } from "../../support/app-database";
import { type AppProcess, startApp } from "../../support/app-process";
import { membershipEvent, newSvixId, signedHeaders } from "../../support/clerk-webhooks";
import { unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { runScript, type ScriptRun } from "../../support/run-script";

// The app as a platform runs it: several instances on one database. Svix may deliver the same
// message twice at once, to two of them; and a deploy replaces them one by one while clients keep
// calling (`npm run load -- --instances 2 --rolling-restart`, which fails on a single failed
// request).

describe("two instances, one database", () => {
  let emulator: EmulatorProcess;
  let a: AppProcess;
  let b: AppProcess;
  let database: AppDatabase;

  beforeAll(async () => {
    emulator = await startEmulatorProcess();
    const instance = () => startApp({ emulator, databaseUrl: inject("databaseUrl") });
    [a, b] = await Promise.all([instance(), instance()]);
    database = connectAppDatabase(inject("databaseUrl"));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.stop();
    if (emulator) removeDataDir(emulator.dataDir);
    await database?.close();
  });

  it("processes the same Svix delivery sent to both at the same moment once", async () => {
    const run = unique("dup").replace(/\W/g, "");
    const deliveries = Array.from({ length: 10 }, (_, i) => {
      const event = membershipEvent("organizationMembership.created", {
        id: `orgmem_${run}_${i}`,
        organization: {
          id: `org_${run}_${i}`,
          name: `Twice ${i}`,
          slug: `${run}-${i}`,
          updatedAt: Date.now(),
        },
        user: { id: `user_${run}_${i}` },
        role: "org:admin",
        updatedAt: Date.now(),
      });
      const body = JSON.stringify(event);
      return { body, headers: signedHeaders(body, { svixId: newSvixId() }) };
    });
    const answers = await Promise.all(
      deliveries.map(({ body, headers }) =>
        Promise.all(
          [a, b].map(async (app) => {
            const res = await fetch(`${app.url}/api/webhooks/clerk`, {
              method: "POST",
              headers,
              body,
            });
            return { status: res.status, outcome: (await res.json()).status };
          }),
        ),
      ),
    );
    for (const pair of answers) {
      expect(pair.map((p) => p.status)).toEqual([200, 200]);
      expect(pair.map((p) => p.outcome).sort()).toEqual(["duplicate", "processed"]);
    }
    const ids = deliveries.map((d) => d.headers["svix-id"]);
    const [stored] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_events where svix_id = any(${ids})`;
    expect(stored?.n).toBe(ids.length);
    const memberships = deliveries.map((_, i) => `orgmem_${run}_${i}`);
    const audit = await database.sql<{ target_id: string; n: number }[]>`
      select target_id, count(*)::int as n from audit_events
      where target_id = any(${memberships}) group by target_id`;
    expect(audit).toHaveLength(memberships.length);
    for (const row of audit) expect(row.n).toBe(1);
  });
});

// The script's own output: its table and the balancer's figures.
function runLoadScript(args: string[]): Promise<ScriptRun> {
  return runScript("load-test", args, {
    NODE_ENV: "test",
    DATABASE_URL: inject("databaseUrl"),
    CLERK_TELEMETRY_DISABLED: "1",
    NEXT_TELEMETRY_DISABLED: "1",
  });
}

describe("a rolling restart", () => {
  it("loses no request while each instance is replaced under load", async () => {
    const { code, output } = await runLoadScript([
      "--instances",
      "2",
      "--rolling-restart",
      "--connections",
      "4",
    ]);
    expect(code, output).toBe(0);
    const row = /\| both at once, through a rolling restart \|([^\n]*)\|/.exec(output)?.[1] ?? "";
    const cells = row.split("|").map((c) => c.trim());
    // requests, req/s, p50, p99, max, statuses, errors
    expect(cells[5], output).toMatch(/^[\d,]+× 200$/);
    expect(cells[6], output).toBe("0");
    expect(output).toMatch(/ 0 failed\./);
    expect(output).toMatch(/\| 2 \| [\d,]+ \| [\d,]+ \|/);
  }, 240_000);
});
