import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, mintSession, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { validateWebhookPayload } from "../../support/openapi-contract";
import { type ReceivedDelivery, startWebhookReceiver } from "../../support/webhook-receiver";

let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({
    env: {
      EMULATOR_WEBHOOK_URL: receiver.url,
      // Svix's schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) shrunk ten-thousandfold.
      EMULATOR_WEBHOOK_TIME_SCALE: "0.0001",
    },
  });
  clerk = clerkFor(emulator.url);
});
afterEach(async () => {
  receiver.respondWith(() => 200);
  await setFaults("");
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  removeDataDir(emulator.dataDir);
});

async function setFaults(faults: string) {
  const res = await emulatorRequest(emulator.url, "PUT", "/__emulator/webhooks/faults", { faults });
  expect(res.status).toBe(200);
}

type LoggedMessage = {
  id: string;
  event_type: string;
  state: string;
  attempts: { status: number | null; error: string | null }[];
};

async function deliveryLog(): Promise<LoggedMessage[]> {
  return (await emulatorRequest(emulator.url, "GET", "/__emulator/webhooks")).body.data;
}

const forUser = (userId: string) => (d: ReceivedDelivery) =>
  JSON.stringify(d.payload.data).includes(userId);

describe("webhook delivery", () => {
  it("announces every change as a svix-signed Clerk event that matches the webhook spec", async () => {
    const user = await clerk.users.createUser({ emailAddress: [`${unique("hook")}@example.com`] });
    await clerk.users.updateUser(user.id, { firstName: "Hooked" });
    const org = await clerk.organizations.createOrganization({ name: "Hooks", createdBy: user.id });
    await clerk.organizations.updateOrganization(org.id, { name: "Hooks Renamed" });
    const other = await clerk.users.createUser({
      emailAddress: [`${unique("other")}@example.com`],
    });
    await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: other.id,
      role: "org:member",
    });
    await clerk.organizations.updateOrganizationMembership({
      organizationId: org.id,
      userId: other.id,
      role: "org:admin",
    });
    const { session } = await mintSession(emulator.url, {
      user_id: user.id,
      organization_id: org.id,
    });
    await clerk.sessions.revokeSession(session.id);
    await clerk.organizations.deleteOrganization(org.id);
    await clerk.users.deleteUser(user.id);

    const expected = [
      "user.created",
      "user.updated",
      "organization.created",
      "organizationMembership.created",
      "organization.updated",
      "organizationMembership.updated",
      "session.created",
      "session.revoked",
      "organizationMembership.deleted",
      "organization.deleted",
      "user.deleted",
    ];
    const involved = (d: ReceivedDelivery) =>
      [user.id, org.id, other.id].some((id) => JSON.stringify(d.payload.data).includes(id));
    const got = await receiver.waitFor((all) =>
      expected.every((type) => all.some((d) => d.type === type && involved(d))),
    );
    const mine = got.filter(involved);
    for (const d of mine) {
      expect(d.verified).toBe(true);
      expect(validateWebhookPayload(d.payload)).toEqual({
        ok: true,
        operation: expect.any(String),
      });
    }
    expect(new Set(mine.map((d) => d.svixId)).size).toBe(mine.length);
    const created = mine.find((d) => d.type === "user.created");
    expect(created?.payload).toMatchObject({
      object: "event",
      data: { id: user.id, object: "user" },
    });
    expect(mine.find((d) => d.type === "user.deleted")?.payload.data).toEqual({
      object: "user",
      id: user.id,
      deleted: true,
    });
  });

  it("retries a failed delivery with the same svix-id until the receiver accepts it", async () => {
    let failures = 0;
    receiver.respondWith((d) => (d.type === "user.created" && failures++ < 2 ? 500 : 200));
    const user = await clerk.users.createUser({ emailAddress: [`${unique("retry")}@example.com`] });
    const got = await receiver.waitFor((all) =>
      all.filter(forUser(user.id)).some((d) => d.status === 200),
    );
    const attempts = got.filter((d) => forUser(user.id)(d) && d.type === "user.created");
    expect(attempts.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((d) => d.svixId)).size).toBe(1);
    expect(attempts.every((d) => d.verified)).toBe(true);

    const logged = (await deliveryLog()).find((m) => m.id === attempts[0]?.svixId);
    expect(logged?.state).toBe("succeeded");
    expect(logged?.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it("gives up after Svix's eight attempts and marks the message failed", async () => {
    receiver.respondWith((d) => (d.type === "user.created" ? 503 : 200));
    const user = await clerk.users.createUser({
      emailAddress: [`${unique("doomed")}@example.com`],
    });
    const svixId = (await receiver.waitFor((all) => all.some(forUser(user.id)))).find(
      forUser(user.id),
    )?.svixId;
    const deadline = Date.now() + 25_000;
    let logged: LoggedMessage | undefined;
    while (Date.now() < deadline) {
      logged = (await deliveryLog()).find((m) => m.id === svixId);
      if (logged?.state === "failed") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(logged?.state).toBe("failed");
    expect(logged?.attempts).toHaveLength(8);
    expect(receiver.deliveries.filter((d) => d.svixId === svixId)).toHaveLength(8);
  }, 40_000);

  it("fault 'duplicate' delivers every message twice under one svix-id", async () => {
    await setFaults("duplicate");
    const user = await clerk.users.createUser({ emailAddress: [`${unique("dup")}@example.com`] });
    const got = await receiver.waitFor((all) => all.filter(forUser(user.id)).length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    const mine = got.filter(forUser(user.id));
    expect(mine).toHaveLength(2);
    expect(mine[0]?.svixId).toBe(mine[1]?.svixId);
    expect(mine.every((d) => d.verified && d.status === 200)).toBe(true);
  });

  it("fault 'reorder' delivers the messages of a window in reverse order", async () => {
    await setFaults("reorder=400");
    const users = [];
    for (const n of [1, 2, 3]) {
      users.push(
        await clerk.users.createUser({ emailAddress: [`${unique(`order${n}`)}@example.com`] }),
      );
    }
    const ids = users.map((u) => u.id);
    const got = await receiver.waitFor((all) => ids.every((id) => all.some(forUser(id))));
    const order = got
      .filter((d) => d.type === "user.created" && ids.some((id) => forUser(id)(d)))
      .map((d) => (d.payload.data as { id: string }).id);
    expect(order).toEqual([...ids].reverse());
  });

  it("fault 'fail-first' drops each first attempt, so the receiver sees only the retry", async () => {
    await setFaults("fail-first");
    const user = await clerk.users.createUser({ emailAddress: [`${unique("ff")}@example.com`] });
    const got = await receiver.waitFor((all) => all.some(forUser(user.id)));
    const delivery = got.find(forUser(user.id));
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.deliveries.filter((d) => d.svixId === delivery?.svixId)).toHaveLength(1);
    const logged = (await deliveryLog()).find((m) => m.id === delivery?.svixId);
    expect(logged?.attempts.map((a) => a.status)).toEqual([null, 200]);
    expect(logged?.attempts[0]?.error).toMatch(/injected/);
  });

  it("fault 'delay' holds each first attempt back", async () => {
    await setFaults("delay=500");
    const started = Date.now();
    const user = await clerk.users.createUser({ emailAddress: [`${unique("late")}@example.com`] });
    await receiver.waitFor((all) => all.some(forUser(user.id)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it("rejects an unknown fault with 422 naming the parameter", async () => {
    const res = await emulatorRequest(emulator.url, "PUT", "/__emulator/webhooks/faults", {
      faults: "explode",
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].meta.param_name).toBe("faults");
  });
});

describe("webhook delivery on hold (EMULATOR_WEBHOOK_HOLD, as the dev launcher starts it)", () => {
  let held: EmulatorProcess;
  let heldReceiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    heldReceiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
    held = await startEmulatorProcess({
      env: {
        EMULATOR_WEBHOOK_URL: heldReceiver.url,
        EMULATOR_WEBHOOK_HOLD: "1",
        EMULATOR_WEBHOOK_TIME_SCALE: "0.0001",
        EMULATOR_SEED: "emulator/seed/dev.json",
      },
    });
  });
  afterAll(async () => {
    await held.stop();
    await heldReceiver.close();
    removeDataDir(held.dataDir);
  });

  const heldLog = async (): Promise<LoggedMessage[]> =>
    (await emulatorRequest(held.url, "GET", "/__emulator/webhooks")).body.data;

  it("queues the seed's events and later ones without attempting them until released", async () => {
    const user = await clerkFor(held.url).users.createUser({
      emailAddress: [`${unique("held")}@example.com`],
    });
    await new Promise((r) => setTimeout(r, 300));
    const before = await emulatorRequest(held.url, "GET", "/__emulator/webhooks");
    expect(before.body.on_hold).toBe(true);
    const messages: LoggedMessage[] = before.body.data;
    expect(messages.map((m) => m.event_type)).toContain("organization.created");
    expect(messages.every((m) => m.state === "pending" && m.attempts.length === 0)).toBe(true);
    expect(heldReceiver.deliveries).toHaveLength(0);

    const anonymous = await fetch(`${held.url}/__emulator/webhooks/release`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect(heldReceiver.deliveries).toHaveLength(0);

    expect((await emulatorRequest(held.url, "POST", "/__emulator/webhooks/release")).status).toBe(
      204,
    );
    await heldReceiver.waitFor((all) => all.length >= messages.length);
    expect(heldReceiver.deliveries.map((d) => d.svixId)).toEqual(messages.map((m) => m.id));
    expect(heldReceiver.deliveries.some(forUser(user.id))).toBe(true);
    const after = await heldLog();
    expect(after.every((m) => m.state === "succeeded")).toBe(true);
    expect(after.flatMap((m) => m.attempts.map((a) => a.status))).toEqual(messages.map(() => 200));
  });

  it("keeps Svix's retry schedule for real failures once released", async () => {
    let failures = 0;
    heldReceiver.respondWith((d) => (d.type === "user.created" && failures++ < 2 ? 500 : 200));
    const user = await clerkFor(held.url).users.createUser({
      emailAddress: [`${unique("held-retry")}@example.com`],
    });
    await heldReceiver.waitFor((all) => all.filter(forUser(user.id)).some((d) => d.status === 200));
    const id = heldReceiver.deliveries.find(forUser(user.id))?.svixId;
    const logged = (await heldLog()).find((m) => m.id === id);
    expect(logged?.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });
});
