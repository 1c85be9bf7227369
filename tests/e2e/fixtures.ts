import { createClerkClient } from "@clerk/backend";
import { clerkSetup, clerk as clerkTesting } from "@clerk/testing/playwright";
import { test as base, expect, type Locator, type Page, type Response } from "@playwright/test";
import { EMULATOR_DEFAULTS, publishableKeyFor } from "../../emulator/src/config";
import { FAPI_SPEC, loadContract } from "../support/openapi-contract";
import { codeMailedTo } from "./mailbox";
import { APP_URL, EMULATOR_URL } from "./ports";

export { expect };
export const SCREENSHOTS = "test-results/screenshots";

export const PUBLISHABLE_KEY = publishableKeyFor(EMULATOR_DEFAULTS.frontendApiHost);

// The Backend API of the emulator the launcher started (its development secret key).
export const clerk = createClerkClient({
  secretKey: EMULATOR_DEFAULTS.secretKey,
  publishableKey: PUBLISHABLE_KEY,
  apiUrl: EMULATOR_URL,
});

export const DEMO = { email: "demo+clerk_test@example.com", password: "demo-password-42" };
export const MEMBER = { email: "member+clerk_test@example.com", password: "member-password-42" };

type Violation = { url: string; status: number; errors: string[] };

// Every Frontend API JSON body the real clerk-js receives is checked against Clerk's FAPI spec.
async function checkFapiResponse(response: Response, violations: Violation[]) {
  const url = new URL(response.url());
  if (url.origin !== APP_URL || !url.pathname.startsWith("/__clerk/")) return;
  if (!(response.headers()["content-type"] ?? "").startsWith("application/json")) return;
  const body = await response.json().catch(() => undefined);
  if (body === undefined) return;
  const path = url.pathname.slice("/__clerk".length) + url.search;
  // clerk-js sends PATCH and DELETE as POST with ?_method=.
  const method = url.searchParams.get("_method")?.toUpperCase() ?? response.request().method();
  const result = loadContract(FAPI_SPEC).validateResponse({
    method,
    path,
    status: response.status(),
    body,
  });
  if (!result.ok)
    violations.push({
      url: `${response.request().method()} ${path}`,
      status: response.status(),
      errors: result.errors,
    });
}

export const test = base.extend<
  {
    fapiContract: Violation[];
    cspViolations: string[];
    prefetches: string[];
    unansweredRequests: undefined;
  },
  { ownStack: undefined }
>({
  // The worker's own app stack (./ports.ts) has answered: Playwright waits for the last one only.
  ownStack: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's needs from it
    async ({}, use) => {
      const deadline = Date.now() + 240_000;
      while (
        !(await fetch(`${APP_URL}/api/health`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error(`the app stack at ${APP_URL} did not start`);
        await new Promise((r) => setTimeout(r, 500));
      }
      await use(undefined);
    },
    { scope: "worker", auto: true, timeout: 250_000 },
  ],
  // Every page runs under the app's Content-Security-Policy: whatever the browser refuses under
  // it (Clerk's components, their workers and images, Next's scripts) fails the test.
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) {
          violations.push(`${page.url()}: ${message.text()}`);
        }
      });
      await use(violations);
      expect(violations, "Content-Security-Policy violations reported by the browser").toEqual([]);
    },
    { auto: true },
  ],
  // Every page of the app is rendered per request (it needs the session), so a link that
  // prefetches its page has the server render it for a click that may never come: the app's links
  // do not (`prefetch={false}`), and any prefetch a page sends fails the test.
  prefetches: [
    async ({ page }, use) => {
      const prefetches: string[] = [];
      page.on("request", (r) => {
        if (r.headers()["next-router-prefetch"]) prefetches.push(`${page.url()} -> ${r.url()}`);
      });
      await use(prefetches);
      expect(prefetches, "pages prefetched by the app's links").toEqual([]);
    },
    { auto: true },
  ],
  // A test that fails while the page still waits for answers (a stalled clerk-js, a page that
  // never hydrates) says which: the page's requests without an answer, the page's errors, and
  // what Clerk in the page holds.
  unansweredRequests: [
    async ({ page }, use, testInfo) => {
      const pending = new Map<object, { url: string; since: number }>();
      const errors: string[] = [];
      page.on("request", (r) =>
        pending.set(r, { url: `${r.method()} ${r.url()}`, since: Date.now() }),
      );
      page.on("requestfinished", (r) => pending.delete(r));
      page.on("requestfailed", (r) => {
        pending.delete(r);
        // A navigation aborts the page's prefetches and actions: only Clerk's own are worth a line.
        const why = r.failure()?.errorText;
        if (why === "net::ERR_ABORTED" && !r.url().includes("/__clerk/")) return;
        errors.push(`request failed (${why}): ${r.method()} ${r.url()}`);
      });
      page.on("response", (r) => {
        if (r.status() >= 500)
          errors.push(`answered ${r.status()}: ${r.request().method()} ${r.url()}`);
      });
      page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
      await use(undefined);
      if (testInfo.status === testInfo.expectedStatus) return;
      const now = Date.now();
      // Clerk in the page: loaded, its status, and how many of its components have rendered (a
      // header whose switcher kept its placeholder showed none, Clerk loaded).
      const clerkState = await page
        .evaluate(() => {
          const c = (window as { Clerk?: { loaded?: boolean; status?: string } }).Clerk;
          const rendered = document.querySelectorAll("[class*='cl-rootBox']").length;
          return `Clerk in the page: loaded ${c?.loaded}, status ${c?.status}, components rendered ${rendered}, at ${location.pathname}`;
        })
        .catch(() => null);
      const lines = [
        ...(clerkState ? [clerkState] : []),
        ...[...pending.values()].map((p) => `unanswered for ${now - p.since} ms: ${p.url}`),
        ...errors,
      ];
      if (lines.length) {
        await testInfo.attach("unanswered requests and page errors", { body: lines.join("\n") });
        console.log(lines.join("\n"));
      }
    },
    { auto: true },
  ],
  fapiContract: [
    async ({ page }, use) => {
      const violations: Violation[] = [];
      const pending: Promise<void>[] = [];
      page.on("response", (r) => pending.push(checkFapiResponse(r, violations)));
      await use(violations);
      await Promise.all(pending);
      expect(violations, "Frontend API responses that violate Clerk's FAPI spec").toEqual([]);
    },
    { auto: true },
  ],
});

// Signs in with <SignIn/>'s email and password steps. Device Trust (on by default, as with Clerk):
// on a browser this user never signed in on (every fresh test context), Clerk then asks for the
// code it emails, which this enters from the emulator's mailbox (`424242` for +clerk_test
// addresses). A wrong password leaves the page on the password step.
export async function signInWithPassword(page: Page, user: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel(/email address/i).fill(user.email);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.getByLabel(/^password/i).fill(user.password);
  const since = Date.now();
  const attempt = page.waitForResponse((r) =>
    /\/sign_ins\/[^/]+\/attempt_first_factor/.test(r.url()),
  );
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  const signIn = (await (await attempt).json())?.response;
  if (signIn?.status === "needs_client_trust") await enterDeviceTrustCode(page, user.email, since);
}

// <SignUp/>'s first step with an email address and a password, then the emailed code (`424242` for
// a `+clerk_test` address). Clerk checks the password as it is typed; a Continue clicked while
// that check runs is lost (one whole-suite run stayed on the form, its password accepted), so this
// waits for Clerk's verdict, as a user reads it, and clicks again while the form is still there.
export async function signUpWithPassword(
  page: Page,
  email: string,
  options: { screenshot?: string } = {},
) {
  await page.getByLabel(/email address/i).fill(email);
  const password = page.getByLabel(/^password/i);
  await password.fill("a-long-enough-password");
  await expect(page.getByText(/meets all the necessary requirements/i).first()).toBeVisible();
  if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
  const code = page.getByRole("textbox", { name: /verification code/i }).first();
  await expect(async () => {
    if (await password.isVisible()) {
      await page.getByRole("button", { name: "Continue", exact: true }).click();
    }
    await expect(code).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await code.fill("424242");
}

// <SignIn/>'s "You're signing in from a new device" step: the code emailed to `email`.
export async function enterDeviceTrustCode(page: Page, email: string, since: number) {
  await expect(page).toHaveURL(/\/sign-in\/client-trust/);
  await page
    .getByRole("textbox", { name: /verification code/i })
    .first()
    .fill(await codeMailedTo(email, since));
}

// Signing in ends with a document load (through /dashboard): the page is done once Clerk has
// loaded again (navigating away earlier can cut Clerk's handshake short).
export async function clerkLoaded(page: Page) {
  await page.waitForFunction(() => (window as { Clerk?: { loaded?: boolean } }).Clerk?.loaded);
}

// Signs in, waits for Clerk to land the browser (where depends on the user's organizations and
// their last active one), then opens `path`.
export async function signInAndOpen(
  page: Page,
  user: { email: string; password: string },
  path: string,
) {
  await signInWithPassword(page, user);
  await landedAfterSignIn(page);
  await clerkLoaded(page);
  await page.goto(path);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
}

// Signs in without the sign-in screens, then opens `path`: for the tests about what comes after
// signing in. Clerk's own Playwright helper (@clerk/testing) has clerk-js in the page sign in with
// the emailed code, `424242` for a `+clerk_test` address as in Clerk's test mode (a password would
// stop at Device Trust's step on this new browser, which the helper does not take, with Clerk as
// with the emulator), about 3 s less than the screens; the screens themselves are what
// sign-in.e2e.ts and the other authentication files test, with signInAndOpen.
let testingToken: Promise<void> | undefined;
export async function openSignedIn(page: Page, user: { email: string }, path: string) {
  // clerkSetup() asks the Backend API at CLERK_API_URL for a testing token: this worker's emulator.
  process.env.CLERK_API_URL = EMULATOR_URL;
  testingToken ??= clerkSetup({
    publishableKey: PUBLISHABLE_KEY,
    secretKey: EMULATOR_DEFAULTS.secretKey,
    dotenv: false,
  });
  await testingToken;
  await page.goto("/");
  await clerkTesting.signIn({
    page,
    signInParams: { strategy: "email_code", identifier: user.email },
  });
  await page.goto(path);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  // The new session had no active organization: the page's handshake activated the one the URL
  // names, and clerk-js, as it loads, may write one more token from before it (the API would read
  // no organization). Done once clerk-js holds that organization too.
  const slug = /^\/orgs\/([^/?#]+)/.exec(path)?.[1];
  await clerkLoaded(page);
  if (slug) {
    await page.waitForFunction(
      (want) =>
        (window as { Clerk?: { organization?: { slug?: string | null } | null } }).Clerk
          ?.organization?.slug === want,
      slug,
    );
  }
}

// Where Clerk lands a browser that signed in. A failure says what Clerk held in the page (one
// whole-suite run stayed on the device-trust step after the code was accepted, its button
// spinning): whether a session was made, and the sign-in's status.
async function landedAfterSignIn(page: Page) {
  try {
    await expect(page).toHaveURL(/\/(orgs\/[^/]+|onboarding)$/);
  } catch (err) {
    const clerk = await page
      .evaluate(() => {
        type Seen = {
          loaded?: boolean;
          session?: { id: string; status: string } | null;
          client?: { signIn?: { status: string | null; createdSessionId: string | null } };
        };
        const c = (window as { Clerk?: Seen }).Clerk;
        return {
          loaded: c?.loaded ?? null,
          session: c?.session ? { id: c.session.id, status: c.session.status } : null,
          signIn: c?.client?.signIn
            ? { status: c.client.signIn.status, createdSessionId: c.client.signIn.createdSessionId }
            : null,
        };
      })
      .catch((e: unknown) => `not readable: ${e}`);
    throw new Error(`${(err as Error).message}\nClerk in the page: ${JSON.stringify(clerk)}`);
  }
}

// Confirms a removal in Clerk's <UserProfile/>. A click on Remove while Clerk's confirmation is
// still settling can leave it open with the item kept (seen for an email address and for a passkey
// in whole-suite runs; the screenshots showed the form still there): clicked again while it shows,
// as a user would, until `removed` is gone.
export async function confirmRemoval(page: Page, removed: Locator) {
  const remove = page.getByRole("button", { name: "Remove", exact: true });
  await expect(async () => {
    if (await remove.isVisible()) await remove.click();
    await expect(removed).toHaveCount(0, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
}

export function uniqueEmail(label: string) {
  return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}+clerk_test@example.com`;
}

// Emulator-only helpers (not Clerk), under /__emulator on the suite's emulator with its secret key.
export async function emulatorHelper(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${EMULATOR_URL}/__emulator/${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  expect(res.status, `POST /__emulator/${path}`).toBe(200);
  return res.json();
}

// An organization of the demo admin's own, so the tests leave the seeded Acme alone.
export async function demoOrganization(name: string) {
  const [demo] = (await clerk.users.getUserList({ emailAddress: [DEMO.email] })).data;
  if (!demo) throw new Error("the seeded demo user is missing");
  return clerk.organizations.createOrganization({ name, createdBy: demo.id });
}

// Puts an organization on a plan of clerk/billing-plans.json, as a paid checkout would (the
// emulator's billing helper): the audit log and organization API keys need Team. A session
// signed in afterwards carries the plan in its token.
export async function subscribe(organizationId: string, plan: "team" | "business") {
  await emulatorHelper(`billing/organizations/${organizationId}/subscription`, { plan });
}

// <OrganizationSwitcher/> → Manage opens <OrganizationProfile/>, then its Members page. A click
// that lands while clerk-js is still settling the organization the URL activated is lost: retry.
export async function openMembers(page: Page) {
  await page.getByRole("button", { name: "Open organization switcher" }).click();
  await page.getByRole("button", { name: /^Manage/ }).click();
  const profile = page.getByRole("dialog");
  await expect(async () => {
    await profile.getByRole("button", { name: "Members" }).click();
    await expect(profile.getByRole("button", { name: "Invite" })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  return profile;
}

// A user of the test's own with a password, made through the Backend API (no sign-up flow), for
// tests that remove, re-role or delete someone without touching the seeded users.
export async function newUser(label: string, firstName: string) {
  const password = `${label}-password-42`;
  const email = uniqueEmail(label);
  const user = await clerk.users.createUser({
    emailAddress: [email],
    password,
    firstName,
    lastName: "Tester",
  });
  return { id: user.id, email, password, name: `${firstName} Tester` };
}
