import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../../scripts/lib/embedded-postgres";
import { runMigrations } from "../../../src/db/migrate";
import { type AppProcess, freePort, startApp } from "../../support/app-process";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// Its own database, which this suite stops and starts again.
let db: EmbeddedPostgres;
let port: number;
let emulator: EmulatorProcess;
let app: AppProcess;

async function startDatabase() {
  db = await startEmbeddedPostgres({ port });
  await runMigrations(db.url);
}

beforeAll(async () => {
  port = await freePort();
  await startDatabase();
  emulator = await startEmulatorProcess();
  app = await startApp({ emulator: emulator, databaseUrl: db.url });
});
afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
  await db?.stop();
});

describe("GET /api/health", () => {
  it("is 503 problem+json while the database is down, and 200 again once it is back", async () => {
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);

    await db.stop();
    const down = await fetch(`${app.url}/api/health`);
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(await down.json()).toMatchObject({ type: "/problems/service-unavailable", status: 503 });

    await startDatabase();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${app.url}/api/health`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
