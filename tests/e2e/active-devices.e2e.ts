import { clerk, expect, SCREENSHOTS, signInAndOpen, test, uniqueEmail } from "./fixtures";

// The browser's own User-Agent (Chromium on this Linux machine): the project's "Desktop Chrome"
// profile would claim Windows.
test.use({
  userAgent: async ({ browser }, use) => {
    const cdp = await browser.newBrowserCDPSession();
    const { userAgent } = await cdp.send("Browser.getVersion");
    await cdp.detach();
    await use(userAgent);
  },
});

test("<UserProfile/>'s Active devices names the browser, its system and address", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail("devices");
  const password = "devices-password-1";
  await clerk.users.createUser({ emailAddress: [email], password });
  await signInAndOpen(page, { email, password }, "/settings/account/security");

  const device = page.locator(".cl-activeDevice");
  await expect(device).toHaveCount(1);
  const major = browser.version().split(".")[0];
  await expect(device).toContainText(new RegExp(`Chrome ${major}\\.`));
  await expect(device).toContainText("Linux");
  await expect(device).toContainText("127.0.0.1 (This machine)");
  await expect(device).toContainText("This device");
  await page.screenshot({ path: `${SCREENSHOTS}/active-devices.png`, fullPage: true });
});
