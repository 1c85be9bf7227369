import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

// The emulator finds users by email, API keys by secret and memberships by organization and user
// through indexes. These tests change the indexed things every way the Backend API allows and
// check that every lookup answers what the records say.
let emulator: EmulatorProcess;
let clerk: ReturnType<typeof clerkFor>;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  clerk = clerkFor(emulator.url);
});
afterAll(async () => {
  await emulator.stop();
  removeDataDir(emulator.dataDir);
});

const idsByEmail = async (email: string) =>
  (await clerk.users.getUserList({ emailAddress: [email] })).data.map((u) => u.id);

async function verifies(secret: string): Promise<string | null> {
  return clerk.apiKeys.verify(secret).then(
    (key) => key.id,
    (err: { status?: number }) => {
      if (err.status === 404) return null;
      throw err;
    },
  );
}

async function membersOf(organizationId: string) {
  const list = await clerk.organizations.getOrganizationMembershipList({ organizationId });
  return list.data.map((m) => m.publicUserData?.userId).sort();
}

async function organizationsOf(userId: string) {
  const list = await clerk.users.getOrganizationMembershipList({ userId });
  return list.data.map((m) => m.organization.id).sort();
}

describe("emulator indexes", () => {
  it("finds a user under each email address as addresses are added, made primary and removed", async () => {
    const first = `${unique("first")}@example.com`;
    const second = `${unique("second")}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [first] });

    const added = await clerk.emailAddresses.createEmailAddress({
      userId: user.id,
      emailAddress: second.toUpperCase(),
      verified: true,
      primary: true,
    });
    expect(added.emailAddress).toBe(second);
    expect(await idsByEmail(second)).toEqual([user.id]);
    expect(await idsByEmail(first)).toEqual([user.id]);
    expect((await clerk.users.getUser(user.id)).primaryEmailAddressId).toBe(added.id);
    // Taken, whatever the case.
    await expect(
      clerk.users.createUser({ emailAddress: [second.replace("second", "SECOND")] }),
    ).rejects.toMatchObject({ status: 422, errors: [{ code: "form_identifier_exists" }] });

    const firstId = user.emailAddresses[0]?.id as string;
    await clerk.emailAddresses.deleteEmailAddress(firstId);
    expect(await idsByEmail(first)).toEqual([]);
    await expect(clerk.emailAddresses.getEmailAddress(firstId)).rejects.toMatchObject({
      status: 404,
    });
    // The address is free again.
    const other = await clerk.users.createUser({ emailAddress: [first] });
    expect(await idsByEmail(first)).toEqual([other.id]);
    expect(await idsByEmail(second)).toEqual([user.id]);
  });

  it("keeps the primary email address until another one is primary", async () => {
    const email = `${unique("primary")}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email] });
    const primaryId = user.primaryEmailAddressId as string;
    await expect(clerk.emailAddresses.deleteEmailAddress(primaryId)).rejects.toMatchObject({
      status: 400,
      errors: [{ code: "identification_deletion_failed" }],
    });
    const updated = await clerk.emailAddresses.updateEmailAddress(primaryId, { verified: false });
    expect(updated.verification).toBeNull();
    expect(await idsByEmail(email)).toEqual([user.id]);
  });

  it("verifies an API key by its secret until it is revoked or deleted", async () => {
    const owner = await clerk.users.createUser({
      emailAddress: [`${unique("keys")}@example.com`],
    });
    const revoked = await clerk.apiKeys.create({ name: "to revoke", subject: owner.id });
    const deleted = await clerk.apiKeys.create({ name: "to delete", subject: owner.id });
    const kept = await clerk.apiKeys.create({ name: "kept", subject: owner.id });
    expect(await verifies(revoked.secret as string)).toBe(revoked.id);

    await clerk.apiKeys.revoke({ apiKeyId: revoked.id });
    await clerk.apiKeys.delete(deleted.id);

    expect(await verifies(revoked.secret as string)).toBeNull();
    expect(await verifies(deleted.secret as string)).toBeNull();
    expect(await verifies(kept.secret as string)).toBe(kept.id);
    const listed = await clerk.apiKeys.list({ subject: owner.id, includeInvalid: true });
    expect(listed.data.map((k) => k.id).sort()).toEqual([kept.id, revoked.id].sort());
  });

  it("lists memberships by organization and by user as they come and go", async () => {
    const [ann, bob] = await Promise.all(
      ["ann", "bob"].map((n) =>
        clerk.users.createUser({ emailAddress: [`${unique(n)}@example.com`] }),
      ),
    );
    if (!ann || !bob) throw new Error("users not created");
    const one = await clerk.organizations.createOrganization({ name: "One", createdBy: ann.id });
    const two = await clerk.organizations.createOrganization({ name: "Two", createdBy: ann.id });
    await clerk.organizations.createOrganizationMembership({
      organizationId: one.id,
      userId: bob.id,
      role: "org:member",
    });
    expect(await membersOf(one.id)).toEqual([ann.id, bob.id].sort());
    expect(await organizationsOf(ann.id)).toEqual([one.id, two.id].sort());

    await clerk.organizations.deleteOrganizationMembership({
      organizationId: one.id,
      userId: ann.id,
    });
    expect(await membersOf(one.id)).toEqual([bob.id]);
    expect(await organizationsOf(ann.id)).toEqual([two.id]);
    // The pair is free again.
    await clerk.organizations.createOrganizationMembership({
      organizationId: one.id,
      userId: ann.id,
      role: "org:admin",
    });
    expect(await membersOf(one.id)).toEqual([ann.id, bob.id].sort());

    await clerk.organizations.deleteOrganization(two.id);
    expect(await organizationsOf(ann.id)).toEqual([one.id]);
    await clerk.users.deleteUser(bob.id);
    expect(await membersOf(one.id)).toEqual([ann.id]);
  });

  it("finds an organization by its slug after the slug changes", async () => {
    const slug = unique("slug").toLowerCase();
    const org = await clerk.organizations.createOrganization({ name: "Slugged", slug });
    await clerk.organizations.updateOrganization(org.id, { slug: `${slug}-new` });
    expect((await clerk.organizations.getOrganization({ slug: `${slug}-new` })).id).toBe(org.id);
    await expect(clerk.organizations.getOrganization({ slug })).rejects.toMatchObject({
      status: 404,
    });
    // The old slug can be taken by another organization.
    const next = await clerk.organizations.createOrganization({ name: "Next", slug });
    expect((await clerk.organizations.getOrganization({ slug })).id).toBe(next.id);
  });

  it("retires a deleted user's email addresses and API keys", async () => {
    const email = `${unique("gone")}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email] });
    const key = await clerk.apiKeys.create({ name: "personal", subject: user.id });
    await clerk.users.deleteUser(user.id);
    expect(await idsByEmail(email)).toEqual([]);
    expect(await verifies(key.secret as string)).toBeNull();
    const again = await clerk.users.createUser({ emailAddress: [email] });
    expect(await idsByEmail(email)).toEqual([again.id]);
  });

  it("rebuilds every index after a restart, and empties them on reset", async () => {
    const email = `${unique("restart")}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email] });
    const org = await clerk.organizations.createOrganization({
      name: "Restart Inc",
      createdBy: user.id,
    });
    const key = await clerk.apiKeys.create({ name: "restart", subject: org.id });

    emulator = await emulator.restart();
    clerk = clerkFor(emulator.url);
    expect(await idsByEmail(email)).toEqual([user.id]);
    expect(await verifies(key.secret as string)).toBe(key.id);
    expect(await membersOf(org.id)).toEqual([user.id]);
    expect(await organizationsOf(user.id)).toEqual([org.id]);
    expect((await clerk.organizations.getOrganization({ slug: org.slug })).id).toBe(org.id);

    expect((await emulatorRequest(emulator.url, "POST", "/__emulator/reset")).status).toBe(204);
    expect(await idsByEmail(email)).toEqual([]);
    expect(await verifies(key.secret as string)).toBeNull();
    await expect(clerk.organizations.getOrganization({ slug: org.slug })).rejects.toMatchObject({
      status: 404,
    });
    const fresh = await clerk.users.createUser({ emailAddress: [email] });
    expect(await idsByEmail(email)).toEqual([fresh.id]);
  });
});
