import { clerkFor, uniqueTestPhoneNumber } from "../support/emulator-client";
import { clerkLoaded, expect, SCREENSHOTS, test, uniqueEmail } from "./fixtures";
import { ownStack } from "./own-stack";

// The second instance configuration, clerk/instance-settings.username-phone-mfa.json (usernames
// and phone numbers, SMS codes, MFA required), on an app and emulator of its own started from the
// suite's build: signing in by username on a new device, <SignIn/>'s "Set up two-step
// verification" task (Clerk's `setup-mfa`) with a phone number added and verified by SMS, then
// signing in again with the SMS code as the second step. The rest of the suite runs the default
// configuration.

const stack = ownStack(() => "clerk/instance-settings.username-phone-mfa.json");

const PASSWORD = "sms-password-42";

test("signs in by username, sets up SMS two-step verification as Clerk's task asks, then signs in with the texted code", async ({
  page,
}) => {
  // Two sign-ins, a task and an SMS enrolment.
  test.setTimeout(120_000);
  const username = `sms_${Date.now().toString(36)}`;
  await clerkFor(stack.emulator.url).users.createUser({
    emailAddress: [uniqueEmail("sms")],
    username,
    password: PASSWORD,
  });
  const phone = uniqueTestPhoneNumber();

  const signIn = async () => {
    await page.goto(`${stack.app.url}/sign-in`);
    await page.getByLabel(/email address or username/i).fill(username);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByLabel(/^password/i).fill(PASSWORD);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
  };
  const enterCode = (code = "424242") =>
    page
      .getByRole("textbox", { name: /verification code/i })
      .first()
      .fill(code);

  await signIn();
  // A new device (Device Trust): the code emailed to a +clerk_test address is 424242.
  await expect(page).toHaveURL(/\/sign-in\/client-trust/);
  await enterCode();

  await expect(page.getByText("Set up two-step verification")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/setup-mfa-task.png`, fullPage: true });
  await page.getByRole("button", { name: "SMS code" }).click();
  // No number yet: Clerk asks for one (the national part; the country is the US).
  await page.getByLabel(/phone number/i).fill(phone.slice(2));
  await page.getByRole("button", { name: "Continue" }).click();
  // Clerk's test numbers (+1 XXX 555-01XX) take 424242; the text is in the emulator's mailbox.
  await enterCode();
  await expect(page.getByText("SMS code verification enabled")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/setup-mfa-backup-codes.png`, fullPage: true });
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/onboarding$/);

  // Signed out by clerk-js (clearing cookies under a live page races its own cookie writes).
  await clerkLoaded(page);
  await page.evaluate(() =>
    (window as unknown as { Clerk: { signOut: () => Promise<void> } }).Clerk.signOut(),
  );
  await signIn();
  await expect(page).toHaveURL(/\/sign-in\/factor-two/);
  await expect(page.getByText(/enter the verification code sent to your phone/i)).toBeVisible();
  await enterCode();
  await expect(page).toHaveURL(/\/onboarding$/);
});
