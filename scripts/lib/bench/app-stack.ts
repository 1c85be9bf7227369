import postgres from "postgres";
import { freePort, startApp } from "../../../tests/support/app-process";
import {
  clerkFor,
  mintSession,
  subscribeOrganization,
} from "../../../tests/support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../../tests/support/emulator-process";
import { DEV_SEED } from "../clerk-wiring";
import { type Instances, startInstances } from "./instances";

// The seeded demo key: it reads projects and members of `acme`.
const READ_KEY = "ak_demo_acme_read_only_0000000000000000";
const FIRST_PAGE = 20;

export type AppStack = {
  appUrl: string;
  // The app's server process (for its CPU time); with several instances, the first's.
  appPid: number;
  // With several instances: them, behind their balancer (at `appUrl`).
  instances?: Instances;
  emulatorUrl: string;
  // The emulator's process (for a test that freezes it: SIGSTOP).
  emulatorPid: () => number;
  // Restarts the emulator (same data, same ports) answering after `ms` (EMULATOR_LATENCY_MS):
  // a Clerk that far away.
  setClerkLatency: (ms: number) => Promise<void>;
  // The seeded demo admin's fresh session token for `acme` (tokens live an hour).
  sessionToken: () => Promise<string>;
  readKey: string;
  // A key of `acme` with projects:read and projects:write.
  writeKey: string;
  stop: () => Promise<void>;
};

// The production server as `npm start` runs it (or `instances` of it behind a round-robin
// balancer), against a Clerk emulator of its own with the dev seed (webhooks off) and the given
// database, with a full first page of projects in `acme`. `stop` removes those projects (and any
// the caller added to `acme`), the emulator's folder.
export async function startAppStack(options: {
  databaseUrl: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  instances?: number;
  log: (line: string) => void;
}): Promise<AppStack> {
  const appPort = await freePort();
  let emulator: EmulatorProcess | undefined;
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let instances: Instances | undefined;
  let tenantId: string | undefined;
  const stop = async () => {
    await app?.stop();
    await instances?.stop();
    if (emulator) {
      await emulator.stop();
      removeDataDir(emulator.dataDir);
    }
    if (tenantId) {
      const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
      await sql`delete from projects where tenant_id = ${tenantId}`.finally(() => sql.end());
    }
  };
  try {
    emulator = await startEmulatorProcess({
      env: { EMULATOR_SEED: DEV_SEED, EMULATOR_AUTHORIZED_PARTY: `http://localhost:${appPort}` },
    });
    const emulatorUrl = emulator.url;
    options.log(`emulator: ${emulatorUrl}, dev seed, webhooks off`);
    let appUrl: string;
    let appPid: number;
    if ((options.instances ?? 1) > 1) {
      instances = await startInstances({
        count: options.instances ?? 1,
        emulator,
        databaseUrl: options.databaseUrl,
        env: options.env,
      });
      appUrl = instances.url;
      appPid = instances.pids()[0] as number;
      options.log(
        `app: ${options.instances} production servers (npm start) behind a balancer on ${appUrl}`,
      );
    } else {
      app = await startApp({
        emulator,
        databaseUrl: options.databaseUrl,
        port: appPort,
        env: options.env,
        nodeArgs: options.nodeArgs,
      });
      appUrl = app.url;
      appPid = app.pid;
      options.log(`app: production server (npm start) on ${appUrl}`);
    }

    const clerk = clerkFor(emulatorUrl);
    const [demo] = (
      await clerk.users.getUserList({ emailAddress: ["demo+clerk_test@example.com"] })
    ).data;
    if (!demo) throw new Error("the dev seed's demo user is missing");
    const acme = await clerk.organizations.getOrganization({ slug: "acme" });
    tenantId = acme.id;
    // Business: no project limit (the writes row creates thousands); the rate limits are set out
    // of reach by API_RATE_LIMIT.
    await subscribeOrganization(emulatorUrl, acme.id, "business");
    const sessionToken = async () =>
      (
        await mintSession(emulatorUrl, {
          user_id: demo.id,
          organization_id: acme.id,
          lifetime_seconds: 3600,
        })
      ).token;
    const writer = await clerk.apiKeys.create({
      name: "bench writer",
      subject: acme.id,
      scopes: ["projects:read", "projects:write"],
    });
    const writeKey = writer.secret as string;
    for (let i = 0; i < FIRST_PAGE; i++) {
      const res = await fetch(`${appUrl}/api/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `Bench project ${i}`, description: "npm run bench" }),
      });
      if (res.status !== 201)
        throw new Error(`seeding projects: ${res.status} ${await res.text()}`);
    }
    const setClerkLatency = async (ms: number) => {
      if (!emulator) throw new Error("the emulator is not running");
      emulator = await emulator.restart({ EMULATOR_LATENCY_MS: String(ms) });
    };
    return {
      appUrl,
      appPid,
      instances,
      emulatorUrl,
      emulatorPid: () => emulator?.pid ?? 0,
      setClerkLatency,
      sessionToken,
      readKey: READ_KEY,
      writeKey,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
