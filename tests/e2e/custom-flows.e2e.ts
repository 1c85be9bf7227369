import { clerk, clerkLoaded, expect, newUser, test, uniqueEmail } from "./fixtures";
import { mailTo } from "./mailbox";

// Clerk's documented custom flows for social connections and email links (the legacy API that
// useSignIn() returns), call for call, through the browser's clerk-js on one of the app's pages;
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
});
