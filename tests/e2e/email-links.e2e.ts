import { clerkLoaded, expect, newUser, SCREENSHOTS, test } from "./fixtures";
import { mailTo } from "./mailbox";

// Signing in with an emailed link through Clerk's own <SignIn/>: the link, opened in a second
// tab, signs the user in; the first tab, which has been polling, goes on signed in, as with Clerk.

test("signs in with an email link opened in a second tab; the first tab goes on signed in", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const user = await newUser("linked-in", "Lin");
  await page.goto("/sign-in");
  await page.getByLabel(/email address/i).fill(user.email);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.getByRole("link", { name: "Use another method" }).click();
  const since = Date.now();
  await page.getByRole("button", { name: `Email link to ${user.email}` }).click();
  await expect(page.getByText("Check your email")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/email-link-sent.png`, fullPage: true });

  let link: string | undefined;
  await expect
    .poll(async () => {
      link = (await mailTo(user.email)).find((m) => m.created_at >= since && m.link)?.link ?? "";
      return link;
    })
    .toContain("/__clerk/v1/verify?token=");

  const second = await context.newPage();
  await second.goto(link as string);
  await expect(second).toHaveURL(/\/(sign-in\/verify|onboarding)/);

  // The first tab polled its sign-in, found it complete, and signed in.
  await expect(page).toHaveURL(/\/onboarding$/, { timeout: 30_000 });
  await clerkLoaded(page);
  await page.goto("/settings/account");
  await expect(page.getByText(user.email)).toBeVisible();
  await second.close();
});
