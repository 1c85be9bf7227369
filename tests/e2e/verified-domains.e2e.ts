import type { Page } from "@playwright/test";
import {
  clerk,
  clerkLoaded,
  DEMO,
  demoOrganization,
  expect,
  openSignedIn,
  SCREENSHOTS,
  signUpWithPassword,
  test,
} from "./fixtures";
import { codeMailedTo } from "./mailbox";
import { APP_URL } from "./ports";

// <OrganizationSwitcher/> → Manage opens <OrganizationProfile/>. A click that lands while
// clerk-js is still settling the organization the URL activated is lost: retry.
async function openProfile(page: Page, nav: "General" | "Members", ready: RegExp) {
  await page.getByRole("button", { name: "Open organization switcher" }).click();
  await page.getByRole("button", { name: /^Manage/ }).click();
  const profile = page.getByRole("dialog");
  await expect(async () => {
    await profile.getByRole("button", { name: nav, exact: true }).click();
    await expect(profile.getByText(ready).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  return profile;
}

// A user asking to join without a browser: sign in and accept their suggestion, as clerk-js would
// through the app's Frontend API proxy (a dev browser of its own, form bodies).
async function askToJoinThroughFrontendApi(email: string, password: string) {
  const fapi = async (path: string, devBrowser?: string, form?: Record<string, string>) => {
    const url = new URL(`/__clerk${path}`, APP_URL);
    if (devBrowser) url.searchParams.set("__clerk_db_jwt", devBrowser);
    const res = await fetch(url, {
      method: form || !devBrowser ? "POST" : "GET",
      headers: { origin: APP_URL, "content-type": "application/x-www-form-urlencoded" },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const { id: devBrowser } = await fapi("/v1/dev_browser");
  const since = Date.now();
  let signIn = await fapi("/v1/client/sign_ins", devBrowser, { identifier: email, password });
  // A new device (Device Trust): the code emailed to the address.
  if (signIn.response.status === "needs_client_trust") {
    const attempt = `/v1/client/sign_ins/${signIn.response.id}`;
    await fapi(`${attempt}/prepare_second_factor`, devBrowser, { strategy: "email_code" });
    const code = await codeMailedTo(email, since);
    signIn = await fapi(`${attempt}/attempt_second_factor`, devBrowser, {
      strategy: "email_code",
      code,
    });
  }
  const session = `_clerk_session_id=${signIn.response.created_session_id}`;
  const suggestions = await fapi(`/v1/me/organization_suggestions?${session}`, devBrowser);
  const [suggestion] = suggestions.response.data;
  await fapi(`/v1/me/organization_suggestions/${suggestion.id}/accept?${session}`, devBrowser, {});
}

test.describe("verified domains and membership requests with Clerk's components", () => {
  test("an admin verifies a domain with automatic suggestions; a newcomer there asks to join, the admin accepts in the Requests tab, and the newcomer opens the organization", async ({
    page,
    browser,
  }) => {
    // Two people in two browsers: more than the default minute on a busy machine.
    test.slow();
    const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
    const domain = `corp-${stamp}.test`;
    const org = await demoOrganization(`Domains ${stamp}`);
    await openSignedIn(page, DEMO, `/orgs/${org.slug}`);

    // The admin adds the domain and proves it with the code mailed to an address there.
    let profile = await openProfile(page, "General", /^Verified domains$/);
    await profile.getByRole("button", { name: "Add domain" }).click();
    await profile.getByLabel("Domain").fill(domain);
    await profile.getByRole("button", { name: "Save" }).click();
    const since = Date.now();
    await profile.getByLabel("Verification email address").fill("it");
    await page.screenshot({ path: `${SCREENSHOTS}/verify-domain.png` });
    await profile.getByRole("button", { name: "Save" }).click();
    const code = await codeMailedTo(`it@${domain}`, since);
    const codeInput = profile.getByRole("textbox", { name: /verification code/i }).first();
    await codeInput.fill(code);
    // @clerk/ui 1.34 then closes the card: its enrollment step reads a copy of the domain its
    // useFetch cache took before the code was entered. The domain is verified; after a reload
    // (an empty cache) "Manage" opens the enrollment options.
    await expect(codeInput).toBeHidden();
    await page.reload();
    await clerkLoaded(page);
    profile = await openProfile(page, "General", /^Verified domains$/);
    // Verified: its badge names its enrollment mode, no longer "Unverified".
    await expect(profile.getByText("No automatic enrollment")).toBeVisible();
    // The domain's menu → Manage opens its enrollment options. Once in five whole-suite runs the
    // click on "Manage" left the menu open and nothing else (its popover still settling): the
    // user's next move, clicking again, is what the test does then.
    await expect(async () => {
      const manage = page.getByRole("menuitem", { name: "Manage" });
      if (!(await manage.isVisible())) {
        await profile.getByRole("menuitem", { name: "Open menu" }).click();
      }
      await manage.click({ timeout: 5_000 });
      await expect(profile.getByText("Automatic suggestions")).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 45_000 });
    await profile.getByText("Automatic suggestions").click();
    await page.screenshot({ path: `${SCREENSHOTS}/domain-enrollment-mode.png` });
    await profile.getByRole("button", { name: "Save" }).click();
    // The domain's badge now names its mode.
    await expect(page.getByText("Automatic suggestions").first()).toBeVisible();
    await expect
      .poll(async () => {
        const { data } = await clerk.organizations.getOrganizationDomainList({
          organizationId: org.id,
        });
        return data as unknown as { enrollment_mode: string; verification: { status: string } }[];
      })
      .toMatchObject([
        { enrollment_mode: "automatic_suggestion", verification: { status: "verified" } },
      ]);
    await page.screenshot({ path: `${SCREENSHOTS}/verified-domains.png` });
    await page.keyboard.press("Escape");

    // Clerk's documented custom flow for verified domains, as written, on the same page.
    const docs = `docs-${stamp}.test`;
    const documented = await page.evaluate(async (name) => {
      // biome-ignore lint/suspicious/noExplicitAny: clerk-js on the page, as the docs use it
      const { organization } = (window as any).Clerk;
      const domain = await organization.createDomain(name);
      // A +clerk_test address takes 424242, as on Clerk's development instances.
      await domain.prepareAffiliationVerification({
        affiliationEmailAddress: `it+clerk_test@${name}`,
      });
      await domain.attemptAffiliationVerification({ code: "424242" });
      await domain.updateEnrollmentMode({ enrollmentMode: "automatic_invitation" });
      return { status: domain.verification?.status, mode: domain.enrollmentMode };
    }, docs);
    expect(documented).toEqual({ status: "verified", mode: "automatic_invitation" });

    // A newcomer with an address at the domain signs up and, on onboarding, asks to join.
    const newcomer = await (await browser.newContext()).newPage();
    const email = `grace-${stamp}+clerk_test@${domain}`;
    await newcomer.goto("/sign-up");
    await signUpWithPassword(newcomer, email);
    await expect(newcomer).toHaveURL(/\/onboarding$/);
    await newcomer.getByRole("button", { name: "Request to join" }).click();
    await expect(newcomer.getByText("Pending approval")).toBeVisible();
    await newcomer.screenshot({ path: `${SCREENSHOTS}/onboarding-suggestion.png`, fullPage: true });

    // Someone else there asks too, through the Frontend API calls a suggestion's accept() makes.
    const other = `lin-${stamp}@${domain}`;
    await clerk.users.createUser({ emailAddress: [other], password: "a-long-enough-password" });
    await askToJoinThroughFrontendApi(other, "a-long-enough-password");

    // The dashboard says how people at the domain join (from the organizationDomain webhooks)...
    const joinByDomain = page.getByRole("list", { name: "Verified domains" });
    await expect
      .poll(async () => {
        await page.reload();
        return joinByDomain.textContent();
      })
      .toContain(`People with an address at ${domain} can ask to join`);
    await clerkLoaded(page);
    await joinByDomain.screenshot({ path: `${SCREENSHOTS}/dashboard-verified-domains.png` });

    // ... and the admin sees both requests, approves the newcomer in the Requests tab...
    profile = await openProfile(page, "Members", /^Requests/);
    await profile.getByRole("tab", { name: /Requests/ }).click();
    await expect(profile.getByText(email)).toBeVisible();
    await expect(profile.getByText(other)).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/membership-requests.png` });
    const requestRow = profile.getByRole("row").filter({ hasText: email });
    await requestRow.getByRole("button", { name: "Approve" }).click();
    await expect(profile.getByText(email)).toHaveCount(0);
    await page.keyboard.press("Escape");

    // ... and rejects the other with Clerk's documented membership-request flow.
    const rejected = await page.evaluate(async (identifier) => {
      // biome-ignore lint/suspicious/noExplicitAny: clerk-js on the page, as the docs use it
      const clerk = (window as any).Clerk;
      const { data } = await clerk.organization.getMembershipRequests();
      // biome-ignore lint/suspicious/noExplicitAny: the docs' OrganizationMembershipRequest
      const request = data.find((r: any) => r.publicUserData.identifier === identifier);
      return (await request.reject()).status;
    }, other);
    expect(rejected).toBe("rejected");

    // The newcomer now belongs to the organization and opens it from onboarding.
    await newcomer.reload();
    await clerkLoaded(newcomer);
    await newcomer.getByRole("button", { name: new RegExp(org.name) }).click();
    await expect(newcomer).toHaveURL(new RegExp(`/orgs/${org.slug}$`));
    await expect(newcomer.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await newcomer.screenshot({ path: `${SCREENSHOTS}/joined-by-domain.png`, fullPage: true });
    const members = await clerk.organizations.getOrganizationMembershipList({
      organizationId: org.id,
    });
    expect(members.data.map((m) => [m.publicUserData?.identifier, m.role]).sort()).toEqual(
      [
        [DEMO.email, "org:admin"],
        [email, "org:member"],
      ].sort(),
    );
    await newcomer.context().close();
  });
});
