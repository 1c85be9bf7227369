import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import { connectAppDatabase, eventually } from "../support/app-database";
import { openCustomFlow } from "./custom-flows/open-custom-flow";
import {
  clerk,
  clerkLoaded,
  DEMO,
  demoOrganization,
  expect,
  MEMBER,
  newUser,
  openSignedIn,
  PUBLISHABLE_KEY,
  test,
  uniqueEmail,
} from "./fixtures";
import { mailTo } from "./mailbox";
import { APP_DATABASE_URL, APP_URL, EMULATOR_URL } from "./ports";

// Clerk's documented custom flows for social connections and email links (the legacy API that
// useSignIn() returns), and for embeddable email links (the docs' page as written), call for call, through the browser's clerk-js on one of the app's pages;
// the app's /sign-in routes are the SSO callback and the link's landing page.

type ClerkWindow = {
  Clerk: {
    client: {
      signIn: {
        authenticateWithRedirect: (params: Record<string, string>) => Promise<void>;
        create: (params: Record<string, string>) => Promise<{
          supportedFirstFactors: { strategy: string; emailAddressId?: string }[];
          createEmailLinkFlow: () => {
            startEmailLinkFlow: (params: Record<string, string>) => Promise<{
              status: string;
              createdSessionId: string;
              firstFactorVerification: { status: string };
            }>;
          };
        }>;
      };
    };
    setActive: (params: { session: string }) => Promise<void>;
    user: { id: string } | null;
  };
};

test.describe("documented custom flows", () => {
  test.describe.configure({ timeout: 120_000 });

  test("OAuth: authenticateWithRedirect to the provider, back through the SSO callback, signed up", async ({
    page,
  }) => {
    const email = uniqueEmail("custom-oauth");
    await page.goto("/sign-in");
    await clerkLoaded(page);
    await page.evaluate(() =>
      (window as unknown as ClerkWindow).Clerk.client.signIn.authenticateWithRedirect({
        strategy: "oauth_github",
        redirectUrl: "/sign-in/sso-callback",
        redirectUrlComplete: "/dashboard",
      }),
    );
    await expect(page.getByRole("heading", { name: "Sign in with GitHub" })).toBeVisible();
    await page.getByRole("textbox", { name: "Email address" }).fill(email);
    await page.getByRole("button", { name: "Continue with this account" }).click();
    // Nobody had this GitHub account: the callback turned the sign-in into a sign-up.
    await expect(page).toHaveURL(/\/onboarding$/);
    const { data } = await clerk.users.getUserList({ emailAddress: [email] });
    expect(data[0]?.externalAccounts.map((a) => a.provider)).toEqual(["oauth_github"]);
  });

  test("email link: startEmailLinkFlow waits while the link is opened in another tab, then setActive", async ({
    page,
    context,
  }) => {
    const user = await newUser("custom-link", "Cleo");
    await page.goto("/sign-in");
    await clerkLoaded(page);
    const since = Date.now();
    const flow = page.evaluate(async (email) => {
      const { Clerk } = window as unknown as ClerkWindow;
      const signIn = await Clerk.client.signIn.create({ identifier: email });
      const factor = signIn.supportedFirstFactors.find((f) => f.strategy === "email_link");
      const { startEmailLinkFlow } = signIn.createEmailLinkFlow();
      const result = await startEmailLinkFlow({
        emailAddressId: factor?.emailAddressId ?? "",
        redirectUrl: `${window.location.origin}/sign-in/verify`,
      });
      if (result.status === "complete") await Clerk.setActive({ session: result.createdSessionId });
      return { status: result.status, verification: result.firstFactorVerification.status };
    }, user.email);

    let link = "";
    await expect
      .poll(async () => {
        link = (await mailTo(user.email)).find((m) => m.created_at >= since && m.link)?.link ?? "";
        return link;
      })
      .not.toBe("");
    const other = await context.newPage();
    await other.goto(link);
    expect(await flow).toEqual({ status: "complete", verification: "verified" });
    expect(await page.evaluate(() => (window as unknown as ClerkWindow).Clerk.user?.id)).toBe(
      user.id,
    );
    await other.close();
  });

  test("embeddable email link: the docs' page signs in with a sign-in token from the Backend API, once", async ({
    page,
    browser,
  }) => {
    const user = await newUser("token-link", "Tobi");
    const { token } = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 600,
    });
    const link = { publishableKey: PUBLISHABLE_KEY, query: `token=${encodeURIComponent(token)}` };
    // The link opens a page of the app, whose proxy gives a new browser its development browser
    // first (the handshake); the flow's page here is the test's, so the app's home comes first.
    await page.goto("/");
    await openCustomFlow(page, "embedded-email-links", link);
    // The page finalizes the session and goes to the app's home, signed in as the token's user.
    await expect(page).toHaveURL(`${APP_URL}/`);
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).user_id).toBe(user.id);

    // The same link in another browser: a sign-in token is used once.
    const context = await browser.newContext();
    const again = await context.newPage();
    const logged: string[] = [];
    again.on("console", (m) => logged.push(m.text()));
    await again.goto("/");
    await openCustomFlow(again, "embedded-email-links", link);
    await expect.poll(() => logged.join("\n")).toContain("sign_in_token_already_used");
    expect((await again.request.get("/api/v1/me")).status()).toBe(401);

    // A token's own url opens the app's <SignIn/>, which redeems it: signed in, on to onboarding
    // (this user has no organization).
    const { url } = await clerk.signInTokens.createSignInToken({
      userId: user.id,
      expiresInSeconds: 600,
    });
    await again.goto(`${new URL(url).pathname}${new URL(url).search}`);
    await expect(again).toHaveURL(/\/onboarding$/);
    expect((await again.request.get("/api/v1/me")).status()).toBe(200);
    await context.close();
  });

  test("updating an organization: the docs' form renames the active one for an admin, and not for a member", async ({
    page,
    browser,
  }) => {
    const org = await demoOrganization(`Before ${Date.now().toString(36)}`);
    await openSignedIn(page, DEMO, `/orgs/${org.slug}`);
    await openCustomFlow(page, "update-organizations", { publishableKey: PUBLISHABLE_KEY });
    const name = page.getByLabel("Name");
    await expect(name).toHaveValue(org.name);
    const renamed = `After ${Date.now().toString(36)}`;
    await name.fill(renamed);
    await page.getByRole("button", { name: "Update" }).click();
    // The docs' page goes on to its own /organizations/<id>, which this app does not have.
    await expect(page).toHaveURL(`${APP_URL}/organizations/${org.id}`);
    expect((await clerk.organizations.getOrganization({ organizationId: org.id })).name).toBe(
      renamed,
    );
    // The app learns it from Clerk's organization.updated webhook.
    const db = connectAppDatabase(APP_DATABASE_URL);
    try {
      const row = await eventually(
        async () => (await db.sql`select name from organizations where id = ${org.id}`)[0],
        (r) => r?.name === renamed,
      );
      expect(row?.name).toBe(renamed);
    } finally {
      await db.close();
    }

    // A member lacks org:sys_profile:manage: Clerk refuses, the page logs it, the name stays.
    const context = await browser.newContext();
    const member = await context.newPage();
    const logged: string[] = [];
    member.on("console", (m) => logged.push(m.text()));
    await openSignedIn(member, MEMBER, "/orgs/acme");
    await openCustomFlow(member, "update-organizations", { publishableKey: PUBLISHABLE_KEY });
    await expect(member.getByLabel("Name")).toHaveValue("Acme Inc");
    await member.getByLabel("Name").fill("Taken over");
    await member.getByRole("button", { name: "Update" }).click();
    await expect
      .poll(() => logged.join("\n"))
      .toContain("This needs the org:sys_profile:manage permission");
    const acme = (await clerk.organizations.getOrganizationList({ query: "acme" })).data;
    expect(acme.map((o) => o.name)).toContain("Acme Inc");
    await context.close();
  });

  test("last authentication strategy: the docs' sign-in page marks the provider this browser last signed in with, as <SignIn/> does", async ({
    page,
  }) => {
    const user = await newUser("last-used", "Lu");
    await page.goto("/");
    await openCustomFlow(page, "last-authentication-strategy", { publishableKey: PUBLISHABLE_KEY });
    const github = page.getByRole("button", { name: /^Sign in with GitHub/ });
    await expect(github).toHaveText("Sign in with GitHub");
    await github.click();
    // The emulator's stand-in for GitHub: the account with the user's (verified) address.
    await expect(page.getByRole("heading", { name: "Sign in with GitHub" })).toBeVisible();
    await page.getByRole("textbox", { name: "Email address" }).fill(user.email);
    await page.getByRole("button", { name: "Continue with this account" }).click();
    await expect(page).toHaveURL(`${APP_URL}/`);
    await clerkLoaded(page);
    await page.evaluate(() =>
      (window as unknown as { Clerk: { signOut: () => Promise<void> } }).Clerk.signOut(),
    );

    await openCustomFlow(page, "last-authentication-strategy", { publishableKey: PUBLISHABLE_KEY });
    await expect(github).toHaveText("Sign in with GitHub (Last used)");
    await expect(page.getByRole("button", { name: /^Sign in with Google/ })).toHaveText(
      "Sign in with Google",
    );
    // Clerk's own <SignIn/> reads the same: its badge on GitHub.
    await page.goto("/sign-in");
    await expect(page.locator(".cl-lastAuthenticationStrategyBadge")).toBeVisible();
    await expect(
      page.getByRole("button", { name: /GitHub/ }).locator(".cl-lastAuthenticationStrategyBadge"),
    ).toHaveCount(1);
  });

  test("user impersonation: the docs' dashboard signs its signed-in user in as another with an actor token", async ({
    page,
  }) => {
    const agent = await newUser("impersonator", "Ivy");
    const customer = await newUser("impersonated-docs", "Uma");
    await openSignedIn(page, agent, "/settings/account");
    // The docs' Server Action, run here as it runs in Next: Clerk's Backend API call as it makes
    // it. (Its permission check, `org:admin:impersonate`, is a custom permission of the docs'
    // example that this app's roles do not declare: the action is the test's to allow.)
    const actionUrl = `${APP_URL}/__test/generate-actor-token`;
    await page.route(actionUrl, async (route) => {
      const { actorId, userId } = route.request().postDataJSON();
      const res = await fetch(`${EMULATOR_URL}/v1/actor_tokens`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}`,
          "Content-type": "application/json",
        },
        body: JSON.stringify({ user_id: userId, actor: { sub: actorId } }),
      });
      await route.fulfill({
        json: res.ok
          ? { ok: true, token: (await res.json()).token }
          : { ok: false, message: "Failed to generate actor token" },
      });
    });
    await openCustomFlow(page, "user-impersonation", {
      publishableKey: PUBLISHABLE_KEY,
      legacyHooks: true,
      props: { users: [{ id: customer.id, email: customer.email }] },
      modules: { "./_actions": "user-impersonation-actions.ts" },
      define: { GENERATE_ACTOR_TOKEN_URL: actionUrl },
    });
    await expect(page.getByText(`Hello ${agent.email}`)).toBeVisible();
    await page
      .getByRole("listitem")
      .filter({ hasText: customer.email })
      .getByRole("button", { name: "Impersonate" })
      .click();
    // Signed in as the customer, on to the app's home: the app's pages say who is acting.
    await expect(page).toHaveURL(`${APP_URL}/`);
    const me = await page.request.get("/api/v1/me");
    expect((await me.json()).user_id).toBe(customer.id);
    await page.goto("/settings/account");
    await expect(page.getByTestId("impersonation-notice")).toContainText(
      `${agent.name} is signed in as ${customer.name}`,
    );
  });
});
