import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../../scripts/lib/embedded-postgres";
import { runMigrations } from "../../../src/db/migrate";
import { type AppDatabase, connectAppDatabase, eventually } from "../../support/app-database";
import { type AppProcess, freePort, startApp } from "../../support/app-process";
import { deliver, newSvixId, userEvent } from "../../support/clerk-webhooks";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// Its own database, which this suite stops and starts again.
let db: EmbeddedPostgres;
let dbPort: number;
let emulator: EmulatorProcess;
let app: AppProcess;
let webhookUrl: string;

async function startDatabase() {
  db = await startEmbeddedPostgres({ port: dbPort });
  await runMigrations(db.url);
}

async function withDatabase<T>(use: (database: AppDatabase) => Promise<T>): Promise<T> {
  const database = connectAppDatabase(db.url);
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}

async function userRow(id: string) {
  return withDatabase(async ({ sql }) => {
    const [row] = await sql`select id, email, deleted_at from users where id = ${id}`;
    return row;
  });
}

beforeAll(async () => {
  dbPort = await freePort();
  await startDatabase();
  const appPort = await freePort();
  emulator = await startEmulatorProcess({
    env: {
      EMULATOR_WEBHOOK_URL: `http://localhost:${appPort}/api/webhooks/clerk`,
      // Retries after 5 ms, 0.3 s, 1.8 s, 7.2 s, ...
      EMULATOR_WEBHOOK_TIME_SCALE: "0.001",
    },
  });
  app = await startApp({ emulator: emulator, databaseUrl: db.url, port: appPort });
  webhookUrl = `${app.url}/api/webhooks/clerk`;
});
afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await db?.stop();
});

describe("POST /api/webhooks/clerk while the database is down", () => {
  it("answers 503 so Svix retries, and stores the event when the same svix-id comes again", async () => {
    const id = unique("user");
    const event = userEvent("user.created", { id, email: `${id}@example.com`, updatedAt: 1_000 });
    const svixId = newSvixId();

    await db.stop();
    const down = await deliver(webhookUrl, event, { svixId });
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(await down.json()).toMatchObject({ type: "/problems/service-unavailable" });

    await startDatabase();
    const retried = await deliver(webhookUrl, event, { svixId });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ status: "processed" });
    expect(await userRow(id)).toMatchObject({ email: `${id}@example.com`, deleted_at: null });
  });

  it("stores what the emulator delivered during the outage once one of its retries succeeds", async () => {
    await db.stop();
    const email = `${unique("outage")}@example.com`;
    const user = await clerkFor(emulator.url).users.createUser({ emailAddress: [email] });

    type Logged = { id: string; event_type: string; attempts: { status: number | null }[] };
    const attempts = async () => {
      const log: Logged[] = (await emulatorRequest(emulator.url, "GET", "/__emulator/webhooks"))
        .body.data;
      const message = log.find(
        (m) => m.event_type === "user.created" && JSON.stringify(m).includes(user.id),
      );
      return message?.attempts.map((a) => a.status) ?? [];
    };
    expect(await eventually(attempts, (a) => a.length > 0)).toContain(503);

    await startDatabase();
    // The retries at this time scale fall 9, 27, 63 and 99 s after the first attempt: on a busy
    // machine the database's restart can miss the one at 27 s, so the wait covers the next.
    const after = await eventually(attempts, (a) => a.includes(200), 80_000);
    expect(after.at(-1)).toBe(200);
    expect(after.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(await userRow(user.id)).toMatchObject({ email, deleted_at: null });
  }, 150_000);
});
