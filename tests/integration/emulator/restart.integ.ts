import { verifyToken } from "@clerk/backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, mintSession } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_SECRET_KEY,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { startWebhookReceiver } from "../../support/webhook-receiver";

const DEMO = "demo+clerk_test@example.com";
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({
    env: {
      EMULATOR_SEED: "emulator/seed/dev.json",
      EMULATOR_WEBHOOK_URL: receiver.url,
      EMULATOR_WEBHOOK_TIME_SCALE: "0.001",
    },
  });
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

describe("emulator restart", () => {
  it("keeps state and signing key: a token minted before verifies after, seed not re-applied", async () => {
    const before = clerkFor(emulator.url);
    const [demo] = await before.users.getUserList({ emailAddress: [DEMO] }).then((r) => r.data);
    if (!demo) throw new Error("seeded demo user missing");
    const acme = await before.organizations.getOrganization({ slug: "acme" });
    const { token } = await mintSession(emulator.url, {
      user_id: demo.id,
      organization_id: acme.id,
      lifetime_seconds: 600,
    });
    const options = { secretKey: TEST_SECRET_KEY, apiUrl: emulator.url };
    expect((await verifyToken(token, options)).sub).toBe(demo.id);
    const usersBefore = await before.users.getCount();

    emulator = await emulator.restart();
    const after = clerkFor(emulator.url);

    // The same JWKS cache entry (same apiUrl and secret) and a fresh fetch both accept it.
    expect((await verifyToken(token, options)).o).toMatchObject({ id: acme.id, rol: "admin" });
    expect((await verifyToken(token, { ...options, skipJwksCache: true })).sub).toBe(demo.id);
    expect(await after.users.getCount()).toBe(usersBefore);
    expect((await after.users.getUser(demo.id)).primaryEmailAddress?.emailAddress).toBe(DEMO);
    const verified = await after.apiKeys.verify("ak_demo_acme_read_only_0000000000000000");
    expect(verified.subject).toBe(acme.id);
  });

  it("resumes pending webhook retries after a restart, under the same svix-id", async () => {
    receiver.respondWith(() => 500);
    const clerk = clerkFor(emulator.url);
    const user = await clerk.users.createUser({ emailAddress: ["resume@example.com"] });
    const first = await receiver.waitFor((all) =>
      all.some((d) => d.type === "user.created" && JSON.stringify(d.payload).includes(user.id)),
    );
    const svixId = first.find((d) => JSON.stringify(d.payload).includes(user.id))?.svixId;

    receiver.respondWith(() => 200);
    emulator = await emulator.restart();
    const got = await receiver.waitFor((all) =>
      all.some((d) => d.svixId === svixId && d.status === 200),
    );
    expect(got.filter((d) => d.svixId === svixId).at(-1)?.status).toBe(200);
  });

  it("serves an inspect page that lists state and never a secret", async () => {
    const res = await fetch(`${emulator.url}/__emulator`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain(DEMO);
    expect(html).toContain("Acme Inc");
    expect(html).toContain("demo-read-key");
    expect(html).toContain("user.created");
    expect(html).not.toContain("ak_demo_acme_read_only");
    expect(html).not.toContain("scrypt$");
  });
});

describe("emulator start-up", () => {
  it("refuses an invalid configuration, naming each bad variable", async () => {
    const failure = await startEmulatorProcess({
      env: { CLERK_WEBHOOK_SIGNING_SECRET: "not-a-secret", EMULATOR_WEBHOOK_URL: "nope" },
    }).then(
      () => new Error("the emulator started"),
      (err: Error) => err,
    );
    expect(failure.message).toMatch(/exited with 1/);
    expect(failure.message).toMatch(/CLERK_WEBHOOK_SIGNING_SECRET: must look like whsec_/);
    expect(failure.message).toMatch(/EMULATOR_WEBHOOK_URL: /);
  });

  it("warns loudly when bound to something other than loopback", async () => {
    const open = await startEmulatorProcess({ env: { EMULATOR_HOST: "0.0.0.0" } });
    try {
      expect(open.output()).toMatch(/WARNING: listening on 0\.0\.0\.0, not loopback/);
    } finally {
      await open.stop();
      removeDataDir(open.dataDir);
    }
  });
});
