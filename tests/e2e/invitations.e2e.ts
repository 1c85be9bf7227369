import type { Page } from "@playwright/test";
import { clerkFor } from "../support/emulator-client";
import { instanceSettingsFile } from "../support/instance-settings-file";
import { mailbox } from "../support/mailbox";
import {
  clerk,
  DEMO,
  demoOrganization,
  expect,
  openMembers,
  openSignedIn,
  SCREENSHOTS,
  signInWithPassword,
  test,
} from "./fixtures";
import { mailTo } from "./mailbox";
import { ownStack } from "./own-stack";

const PASSWORD = "teammate-password-42";

// A real address, not `+clerk_test`: an invitation's ticket proves the address, no code is sent.
const teammate = (label: string) =>
  `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.com`;

// The link the invitation "email" carries, from the emulator's mailbox.
async function invitationLink(to: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      link = (await mailTo(to)).at(-1)?.link ?? undefined;
      return link;
    })
    .toBeTruthy();
  return link as string;
}

async function whoAmI(page: Page) {
  const res = await page.request.get("/api/v1/me");
  expect(res.status()).toBe(200);
  return (await res.json()) as { org_slug: string | null; org_role: string | null };
}

test.describe("inviting a teammate with Clerk's components", () => {
  test("an admin invites from <OrganizationProfile/>; the emailed link signs the teammate up with a password only, into the organization", async ({
    page,
    browser,
  }) => {
    // Two people, two browsers, two sign-ins: more than the default minute on a busy machine.
    test.slow();
    const org = await demoOrganization(`Invite ${Date.now().toString(36)}`);
    await openSignedIn(page, DEMO, `/orgs/${org.slug}`);
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();

    const profile = await openMembers(page);
    await profile.getByRole("button", { name: "Invite" }).click();
    const email = teammate("teammate");
    await profile.getByRole("textbox").first().fill(email);
    await profile.getByRole("button", { name: /^Role:/ }).click();
    await page.getByRole("option", { name: "Viewer" }).click();
    await page.screenshot({ path: `${SCREENSHOTS}/invite-from-organization-profile.png` });
    await profile.getByRole("button", { name: "Send invitations" }).click();
    await expect(profile.getByText(/invitations successfully sent/i)).toBeVisible();

    const link = await invitationLink(email);
    expect(new URL(link).pathname).toBe("/sign-up");

    // The teammate, in a browser of their own.
    const invitee = await (await browser.newContext()).newPage();
    await invitee.goto(link);
    await invitee.getByLabel(/^password/i).fill(PASSWORD);
    await invitee.screenshot({ path: `${SCREENSHOTS}/invitation-sign-up.png`, fullPage: true });
    await invitee.getByRole("button", { name: "Continue", exact: true }).click();
    await expect(invitee).toHaveURL(new RegExp(`/orgs/${org.slug}$`));
    await expect(invitee.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    expect(await whoAmI(invitee)).toMatchObject({ org_slug: org.slug, org_role: "org:viewer" });

    // The admin sees them as a member, by their address until they add a name: on the dashboard
    // (synced by webhooks), in Clerk's list and in the API; and no invitation is pending any more.
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByRole("region", { name: "Members" }).getByText(email).count();
      })
      .toBeGreaterThan(0);
    await expect((await openMembers(page)).getByText(email)).toBeVisible();
    await page.keyboard.press("Escape");

    // Clerk's sign-up did not ask for a name (optional here): the app does, once.
    const prompt = invitee.getByRole("region", { name: "What should your teammates call you?" });
    await expect(prompt).toContainText(`They see you as ${email}`);
    await invitee.screenshot({ path: `${SCREENSHOTS}/invitee-dashboard.png`, fullPage: true });
    await prompt.getByRole("button", { name: "Save name" }).click();
    await expect(prompt.getByRole("alert")).toHaveText(/enter a first or last name/i);
    await prompt.getByLabel("First name").fill("Grace");
    await prompt.getByLabel("Last name").fill("Hopper");
    await prompt.getByRole("button", { name: "Save name" }).click();
    await expect(invitee.getByRole("status", { name: "Notice" })).toContainText(
      "Your teammates now see you as Grace Hopper.",
    );
    await expect(prompt).toHaveCount(0);
    // The admin's open dashboard follows without a reload (user.updated, then the page's refresh).
    await expect(page.getByRole("region", { name: "Members" })).toContainText("Grace Hopper");
    await page.screenshot({ path: `${SCREENSHOTS}/organization-members-after-invite.png` });
    const members = await page.request.get("/api/v1/members");
    expect(members.status()).toBe(200);
    expect(JSON.stringify(await members.json())).toContain(email);
    const pending = await clerk.organizations.getOrganizationInvitationList({
      organizationId: org.id,
      status: ["pending"],
    });
    expect(pending.totalCount).toBe(0);
    await invitee.context().close();
  });

  test("an existing user accepts an invitation from <OrganizationSwitcher/> and opens the organization", async ({
    page,
  }) => {
    const org = await demoOrganization(`Join ${Date.now().toString(36)}`);
    const email = teammate("existing");
    await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
    await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:member",
    });

    await signInWithPassword(page, { email, password: PASSWORD });
    await expect(page).toHaveURL(/\/onboarding$/);
    await page.getByRole("button", { name: "Open organization switcher" }).click();
    const switcher = page.getByRole("dialog");
    await expect(switcher.getByText(org.name)).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/organization-switcher-invitation.png` });
    await switcher.getByRole("button", { name: "Join", exact: true }).click();
    await switcher.getByRole("button", { name: new RegExp(org.name) }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}$`));
    expect(await whoAmI(page)).toMatchObject({ org_slug: org.slug, org_role: "org:member" });

    // They have no name either; "Not now" hides the prompt on this browser, also after a reload.
    const prompt = page.getByRole("region", { name: "What should your teammates call you?" });
    await prompt.getByRole("button", { name: "Not now" }).click();
    await expect(prompt).toHaveCount(0);
    await page.reload();
    // Clerk has loaded (the user menu is drawn): the prompt would be up by now.
    await expect(page.getByRole("button", { name: "Open user menu" })).toBeVisible();
    await expect(prompt).toHaveCount(0);
  });

  test("a revoked invitation's link shows Clerk's error and signs nobody up", async ({ page }) => {
    const org = await demoOrganization(`Revoked ${Date.now().toString(36)}`);
    const email = teammate("revoked");
    const invitation = await clerk.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      role: "org:member",
    });
    await clerk.organizations.revokeOrganizationInvitation({
      organizationId: org.id,
      invitationId: invitation.id,
    });
    await page.goto(await invitationLink(email));
    await expect(
      page.getByText("This invitation has been revoked and cannot be used anymore."),
    ).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/invitation-revoked.png`, fullPage: true });
    expect((await clerk.users.getUserList({ emailAddress: [email] })).data).toHaveLength(0);
  });
});

// Clerk's <SignUp/> asks an invitee only for what the instance requires (the sign-up goes on from
// the ticket, and Clerk's "continue" step leaves optional fields out), so the name is asked of them
// where clerk/instance-settings.json requires it: here on an app and emulator of their own, started
// from the suite's build, as the rest of the suite keeps names optional.
test.describe("inviting a teammate where first and last name are required", () => {
  const stack = ownStack(
    () =>
      instanceSettingsFile((s) => {
        s.personal_information.first_and_last_name = { enabled: true, required: true };
      }),
    { webhooks: true },
  );

  test("the invitee types a first and last name with the password, and the members list shows that name, not the address", async ({
    page,
  }) => {
    test.slow();
    const admin = clerkFor(stack.emulator.url);
    const owner = await admin.users.createUser({
      emailAddress: [teammate("owner")],
      password: PASSWORD,
      firstName: "Olive",
      lastName: "Owner",
    });
    const org = await admin.organizations.createOrganization({
      name: `Named ${Date.now().toString(36)}`,
      createdBy: owner.id,
    });
    const email = teammate("named");
    await admin.organizations.createOrganizationInvitation({
      organizationId: org.id,
      emailAddress: email,
      // An admin, who may open the members list in <OrganizationProfile/> too.
      role: "org:admin",
    });
    let link: string | undefined;
    await expect
      .poll(async () => {
        link = (await mailbox(stack.emulator.url, email)).at(-1)?.link ?? undefined;
        return link;
      })
      .toBeTruthy();
    expect(new URL(link as string).origin).toBe(stack.app.url);

    await page.goto(link as string);
    const firstName = page.getByLabel(/^first name/i);
    await expect(firstName).toBeVisible();
    await expect(page.getByText("Optional")).toHaveCount(0);
    await firstName.fill("Ada");
    await page.getByLabel(/^last name/i).fill("Lovelace");
    await page.getByLabel(/^password/i).fill(PASSWORD);
    await page.screenshot({
      path: `${SCREENSHOTS}/invitation-sign-up-with-name.png`,
      fullPage: true,
    });
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${org.slug}$`));

    const [user] = (await admin.users.getUserList({ emailAddress: [email] })).data;
    expect(user).toMatchObject({ firstName: "Ada", lastName: "Lovelace" });
    // The dashboard's members (synced by webhooks) name the newcomer; the address is only a
    // second line under the name.
    const row = page
      .getByRole("region", { name: "Members" })
      .getByRole("listitem")
      .filter({ hasText: email });
    await expect
      .poll(async () => {
        await page.reload();
        return row.count();
      })
      .toBe(1);
    await expect(row.locator("p").first()).toHaveText("Ada Lovelace");
    await expect((await openMembers(page)).getByText("Ada Lovelace")).toBeVisible();
  });
});
