import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";

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

const newUser = (label: string) =>
  clerk.users.createUser({ emailAddress: [`${unique(label)}@example.com`], firstName: label });

describe("Backend API: organizations and memberships", () => {
  it("creates an organization whose creator becomes its admin", async () => {
    const owner = await newUser("owner");
    const slug = unique("acme").toLowerCase();
    const org = await clerk.organizations.createOrganization({
      name: "Acme",
      slug,
      createdBy: owner.id,
      publicMetadata: { tier: "gold" },
    });
    expect(org.id).toMatch(/^org_\w{27}$/);
    expect(org.slug).toBe(slug);

    const members = await clerk.organizations.getOrganizationMembershipList({
      organizationId: org.id,
    });
    expect(members.totalCount).toBe(1);
    expect(members.data[0]?.role).toBe("org:admin");
    expect(members.data[0]?.publicUserData?.userId).toBe(owner.id);
    expect(members.data[0]?.permissions).toContain("org:sys_api_keys:manage");
    expect(members.data[0]?.permissions).toContain("org:projects:manage");
  });

  it("gets an organization by id and by slug, with its member count on request", async () => {
    const owner = await newUser("counted");
    const slug = unique("byslug").toLowerCase();
    const org = await clerk.organizations.createOrganization({
      name: "By slug",
      slug,
      createdBy: owner.id,
    });
    const byId = await clerk.organizations.getOrganization({ organizationId: org.id });
    const bySlug = await clerk.organizations.getOrganization({ slug, includeMembersCount: true });
    expect(byId.id).toBe(org.id);
    expect(bySlug.id).toBe(org.id);
    expect(bySlug.membersCount).toBe(1);
  });

  it("derives a unique slug from the name when none is given", async () => {
    const name = `Same Name ${unique("n")}`;
    const a = await clerk.organizations.createOrganization({ name });
    const b = await clerk.organizations.createOrganization({ name });
    expect(a.slug).toMatch(/^same-name-/);
    expect(b.slug).not.toBe(a.slug);
  });

  it("lists organizations with query, pagination and total count", async () => {
    const tag = unique("orglist").toLowerCase();
    for (const n of [1, 2, 3]) {
      await clerk.organizations.createOrganization({ name: `${tag} ${n}`, slug: `${tag}-${n}` });
    }
    const page = await clerk.organizations.getOrganizationList({
      query: tag,
      limit: 2,
      orderBy: "name",
    });
    expect(page.totalCount).toBe(3);
    expect(page.data.map((o) => o.slug)).toEqual([`${tag}-1`, `${tag}-2`]);
  });

  it("updates name, slug and metadata", async () => {
    const org = await clerk.organizations.createOrganization({ name: "Before" });
    const slug = unique("after").toLowerCase();
    const updated = await clerk.organizations.updateOrganization(org.id, { name: "After", slug });
    expect(updated.name).toBe("After");
    expect(updated.slug).toBe(slug);
    const merged = await clerk.organizations.updateOrganizationMetadata(org.id, {
      publicMetadata: { region: "eu" },
    });
    expect(merged.publicMetadata).toEqual({ region: "eu" });
  });

  it("rejects a slug another organization holds", async () => {
    const slug = unique("taken").toLowerCase();
    await clerk.organizations.createOrganization({ name: "First", slug });
    await expect(
      clerk.organizations.createOrganization({ name: "Second", slug }),
    ).rejects.toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ code: "form_identifier_exists" })],
    });
  });

  it("adds, re-roles and removes members, and lists a user's memberships", async () => {
    const admin = await newUser("admin");
    const member = await newUser("member");
    const org = await clerk.organizations.createOrganization({ name: "Team", createdBy: admin.id });

    const added = await clerk.organizations.createOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:member",
    });
    expect(added.role).toBe("org:member");
    expect(added.permissions).toEqual(["org:sys_memberships:read", "org:projects:read"]);

    const mine = await clerk.users.getOrganizationMembershipList({ userId: member.id });
    expect(mine.data.map((m) => m.organization.id)).toEqual([org.id]);

    const promoted = await clerk.organizations.updateOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
      role: "org:admin",
    });
    expect(promoted.role).toBe("org:admin");

    const admins = await clerk.organizations.getOrganizationMembershipList({
      organizationId: org.id,
      role: ["org:admin"],
    });
    expect(admins.totalCount).toBe(2);

    await clerk.organizations.deleteOrganizationMembership({
      organizationId: org.id,
      userId: member.id,
    });
    const after = await clerk.organizations.getOrganizationMembershipList({
      organizationId: org.id,
    });
    expect(after.data.map((m) => m.publicUserData?.userId)).toEqual([admin.id]);
  });

  it("rejects an unknown role and a second membership for the same user", async () => {
    const user = await newUser("twice");
    const org = await clerk.organizations.createOrganization({ name: "Roles", createdBy: user.id });
    await expect(
      clerk.organizations.createOrganizationMembership({
        organizationId: org.id,
        userId: (await newUser("other")).id,
        role: "org:owner",
      }),
    ).rejects.toMatchObject({ status: 404, errors: [{ code: "resource_not_found" }] });
    await expect(
      clerk.organizations.createOrganizationMembership({
        organizationId: org.id,
        userId: user.id,
        role: "org:member",
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("deletes an organization together with its memberships", async () => {
    const user = await newUser("leaver");
    const org = await clerk.organizations.createOrganization({
      name: "Doomed",
      createdBy: user.id,
    });
    const deleted = await clerk.organizations.deleteOrganization(org.id);
    expect(deleted.id).toBe(org.id);
    await expect(
      clerk.organizations.getOrganization({ organizationId: org.id }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const mine = await clerk.users.getOrganizationMembershipList({ userId: user.id });
    expect(mine.totalCount).toBe(0);
  });
});
