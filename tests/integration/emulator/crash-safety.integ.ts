import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

let emulator: EmulatorProcess | undefined;
afterAll(async () => {
  if (!emulator) return;
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

// What the clients were told: every change whose answer arrived, before or after the kill (an
// answer cannot leave a dead process, so it was sent before).
type Acknowledged = {
  users: { id: string; email: string }[];
  members: string[];
  keys: { id: string; secret: string }[];
  revoked: Set<string>;
};

const WORKERS = 16;
const KILL_AFTER_KEYS = 40;

describe("emulator crash safety", () => {
  it("keeps every acknowledged change when killed with SIGKILL in the middle of a burst", async () => {
    emulator = await startEmulatorProcess();
    const before = clerkFor(emulator.url);
    // No member limit (0): the burst adds more members than the default plan's seats.
    const org = await before.organizations.createOrganization({
      name: "Crash Inc",
      maxAllowedMemberships: 0,
    });
    const acked: Acknowledged = { users: [], members: [], keys: [], revoked: new Set() };
    let killed = false;
    let inFlight = 0;
    const track = async <T>(call: Promise<T>): Promise<T> => {
      inFlight += 1;
      try {
        return await call;
      } finally {
        inFlight -= 1;
      }
    };

    // Each worker: a user, their membership, a key of the organization, and every other key
    // revoked, over and over, until the emulator dies under it.
    const worker = async () => {
      for (let i = 0; !killed; i++) {
        const email = `${unique("crash")}@example.com`;
        const user = await track(before.users.createUser({ emailAddress: [email] }));
        acked.users.push({ id: user.id, email });
        await track(
          before.organizations.createOrganizationMembership({
            organizationId: org.id,
            userId: user.id,
            role: "org:member",
          }),
        );
        acked.members.push(user.id);
        const key = await track(before.apiKeys.create({ name: `crash ${i}`, subject: org.id }));
        acked.keys.push({ id: key.id, secret: key.secret as string });
        if (i % 2 === 1) {
          await track(before.apiKeys.revoke({ apiKeyId: key.id }));
          acked.revoked.add(key.id);
        }
      }
    };
    const running = Array.from({ length: WORKERS }, () =>
      worker().catch((err: unknown) => {
        // Requests in flight at the kill fail; anything before it must not.
        if (!killed) throw err;
      }),
    );
    while (acked.keys.length < KILL_AFTER_KEYS) await new Promise((r) => setTimeout(r, 5));
    const inFlightAtKill = inFlight;
    killed = true;
    await emulator.kill();
    await Promise.all(running);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // The file is whole (a write-then-rename never leaves half a state) and holds every key.
    const state = JSON.parse(readFileSync(path.join(emulator.dataDir, "state.json"), "utf8"));
    expect(acked.keys.filter((k) => !state.apiKeys[k.id])).toEqual([]);

    emulator = await emulator.restart();
    const after = clerkFor(emulator.url);
    expect(readdirSync(emulator.dataDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // Every acknowledged user, found by email through the rebuilt index.
    for (let i = 0; i < acked.users.length; i += 50) {
      const batch = acked.users.slice(i, i + 50);
      const found = await after.users.getUserList({
        emailAddress: batch.map((u) => u.email),
        limit: 100,
      });
      expect(found.data.map((u) => u.id).sort()).toEqual(batch.map((u) => u.id).sort());
    }
    // Every acknowledged key verifies, unless its revocation was acknowledged too.
    for (const key of acked.keys) {
      const verified = await after.apiKeys.verify(key.secret).then(
        (k) => k.id,
        (err: { status?: number }) => (err.status === 404 ? "not found" : err),
      );
      expect(verified, key.id).toBe(acked.revoked.has(key.id) ? "not found" : key.id);
    }
    // The indexes agree with the records for everything that reached the file, acknowledged or
    // not: each stored user is found by each of its addresses, each membership by its user.
    const members = await after.organizations.getOrganizationMembershipList({
      organizationId: org.id,
      limit: 500,
    });
    const memberIds = members.data.map((m) => m.publicUserData?.userId);
    expect(acked.members.filter((id) => !memberIds.includes(id))).toEqual([]);
    for (const user of (await after.users.getUserList({ limit: 500 })).data) {
      for (const email of user.emailAddresses) {
        const found = await after.users.getUserList({ emailAddress: [email.emailAddress] });
        expect(found.data.map((u) => u.id)).toEqual([user.id]);
      }
      const orgs = await after.users.getOrganizationMembershipList({ userId: user.id });
      expect(orgs.data.map((m) => m.organization.id)).toEqual(
        memberIds.includes(user.id) ? [org.id] : [],
      );
    }
  });
});
