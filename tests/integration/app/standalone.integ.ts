import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import { clerkFor, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// The build's standalone folder (.next/standalone, what the Dockerfile copies into its image) runs
// by itself: the server with the app's front door, its static files, and the migrations.

const STANDALONE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../.next/standalone",
);

let emulator: EmulatorProcess;
let app: AppProcess;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  app = await startApp({ emulator, databaseUrl: inject("databaseUrl"), standalone: true });
});
afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

describe("the standalone build, started from its folder", () => {
  it("answers /api/health", async () => {
    const res = await fetch(`${app.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("serves a signed-in page, its scripts, and sends a signed-out visitor to sign in", async () => {
    const clerk = clerkFor(emulator.url);
    const owner = await clerk.users.createUser({
      emailAddress: [`${unique("standalone")}@example.com`],
    });
    const org = await clerk.organizations.createOrganization({
      name: unique("Standalone"),
      createdBy: owner.id,
    });
    const { token } = await mintSession(emulator.url, {
      user_id: owner.id,
      organization_id: org.id,
    });
    const page = await fetch(`${app.url}/orgs/${org.slug}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<h1[^>]*>Projects<\/h1>/);
    const script = /\/_next\/static\/[^"'\s]+\.js/.exec(html)?.[0];
    expect(script).toBeTruthy();
    expect((await fetch(`${app.url}${script}`)).status).toBe(200);

    const signedOut = await fetch(`${app.url}/orgs/${org.slug}`, { redirect: "manual" });
    expect(signedOut.status).toBeGreaterThanOrEqual(300);
    expect(signedOut.status).toBeLessThan(400);
    expect(signedOut.headers.get("location")).toContain("/sign-in");
  });

  it("applies the migrations with migrate.cjs", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        const child = spawn(process.execPath, ["migrate.cjs"], {
          cwd: STANDALONE,
          env: {
            NODE_ENV: "production",
            PATH: process.env.PATH,
            DATABASE_URL: inject("databaseUrl"),
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let text = "";
        child.stdout.on("data", (d) => {
          text += d;
        });
        child.stderr.on("data", (d) => {
          text += d;
        });
        child.once("exit", (exit) => resolve({ code: exit, output: text }));
      },
    );
    expect(code, output).toBe(0);
    expect(output).toContain("migrations applied");
  });
});
