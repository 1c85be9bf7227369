import {
  clerk,
  clerkLoaded,
  emulatorHelper,
  expect,
  SCREENSHOTS,
  signInAndOpen,
  subscribe,
  test,
  uniqueEmail,
} from "./fixtures";

// Creating an API key is a sensitive action (src/auth/authorize.ts): a session that last verified
// the user more than 10 minutes ago is asked to verify again, in Clerk's own modal opened by
// useReverification(), and the action then runs; the API refuses such a session's DELETE with a
// 403 that carries Clerk's reverification error.

const PASSWORD = "reverify-password-1";

test("asks for the password again before creating a key in a session verified 11 minutes ago", async ({
  page,
}) => {
  const email = uniqueEmail("reverify");
  const user = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  const org = await clerk.organizations.createOrganization({
    name: `Sensitive ${Date.now().toString(36)}`,
    createdBy: user.id,
  });
  // On a plan with organization API keys: the plan is not under test here.
  await subscribe(org.id, "team");
  await signInAndOpen(page, { email, password: PASSWORD }, `/orgs/${org.slug}/settings/api-keys`);
  const project = await page.request.post("/api/v1/projects", { data: { name: "Keep me" } });
  expect(project.status()).toBe(201);

  // Emulator-only helper (not Clerk): the session's sign-in now 11 minutes old. Its next token
  // carries that age (`fva`). Read once Clerk has loaded on the page (a run read it before: none).
  await clerkLoaded(page);
  const sessionId = await page.evaluate(
    () => (window as unknown as { Clerk: { session: { id: string } } }).Clerk.session.id,
  );
  await emulatorHelper(`sessions/${sessionId}/factor_verification_age`, { minutes: 11 });
  await page.evaluate(() =>
    (
      window as unknown as {
        Clerk: { session: { getToken: (o: { skipCache: boolean }) => Promise<string> } };
      }
    ).Clerk.session.getToken({ skipCache: true }),
  );

  const refused = await page.request.delete(`/api/v1/projects/${(await project.json()).id}`);
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({
    reverification: "strict",
    clerk_error: { reason: "reverification-error" },
  });

  await page.locator("#key-name").fill("after-reverification");
  await page.locator('input[name="scopes"][value="projects:read"]').check();
  await page.getByRole("button", { name: "Create key" }).click();
  const modal = page.getByRole("dialog");
  await expect(modal.getByText("Enter your current password to continue")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/reverification-before-key.png`, fullPage: true });
  await modal.getByRole("textbox", { name: "Password" }).fill(PASSWORD);
  await modal.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#new-key-secret")).toHaveValue(/^ak_/);
  const keys = await clerk.apiKeys.list({ subject: org.id });
  expect(keys.data.map((k) => k.name)).toContain("after-reverification");
});
