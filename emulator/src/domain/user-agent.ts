// What `<UserProfile/>`'s "Active devices" shows about a session's browser, read from the
// User-Agent it signed in with. A few well-known tokens cover the browsers people use; anything
// else is left unnamed, as Clerk leaves what it cannot tell.
export type DeviceDescription = {
  browserName?: string;
  browserVersion?: string;
  deviceType?: string;
  isMobile: boolean;
};

// Most specific first: Edge and Opera say "Chrome" too, Chrome says "Safari", iOS browsers say
// "Safari" with their own token.
const BROWSERS: readonly [name: string, pattern: RegExp][] = [
  ["Edge", /\bEdg(?:e|A|iOS)?\/([\d.]+)/],
  ["Opera", /\bOPR\/([\d.]+)/],
  ["Firefox", /\b(?:Firefox|FxiOS)\/([\d.]+)/],
  ["Chrome", /\b(?:HeadlessChrome|Chrome|CriOS)\/([\d.]+)/],
  ["Safari", /\bVersion\/([\d.]+).*\bSafari\//],
];

const DEVICES: readonly [type: string, pattern: RegExp][] = [
  ["iPhone", /\biPhone\b/],
  ["iPad", /\biPad\b/],
  ["Android", /\bAndroid\b/],
  ["Windows", /\bWindows\b/],
  ["Macintosh", /\bMacintosh\b/],
  ["Chrome OS", /\bCrOS\b/],
  ["Linux", /\bLinux\b/],
];

export function describeUserAgent(userAgent: string): DeviceDescription {
  const browser = BROWSERS.map(([name, pattern]) => ({
    name,
    match: pattern.exec(userAgent),
  })).find((b) => b.match);
  const deviceType = DEVICES.find(([, pattern]) => pattern.test(userAgent))?.[0];
  return {
    browserName: browser?.name,
    browserVersion: browser?.match?.[1],
    deviceType,
    // Phones say "Mobile" (Android tablets and iPads do not).
    isMobile: /\bMobile\b/.test(userAgent) && deviceType !== "iPad",
  };
}
