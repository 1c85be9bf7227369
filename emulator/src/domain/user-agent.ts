import UAParser from "ua-parser-js";

// What `<UserProfile/>`'s "Active devices" shows about a session's browser, read from the
// User-Agent it signed in with by ua-parser-js (1.0: MIT; 2.x is AGPL). Anything it cannot tell is
// left unnamed, as Clerk leaves it.
export type DeviceDescription = {
  browserName?: string;
  browserVersion?: string;
  deviceType?: string;
  isMobile: boolean;
};

export function describeUserAgent(userAgent: string): DeviceDescription {
  const { browser, device, os } = new UAParser(userAgent).getResult();
  return {
    // A headless Chrome (a test's, a script's) is Chrome.
    browserName: browser.name?.replace(/ Headless$/, ""),
    browserVersion: browser.version,
    // Apple's devices by their name (iPhone, iPad, Macintosh), the rest by their system.
    deviceType: device.vendor === "Apple" ? device.model : os.name,
    isMobile: device.type === "mobile",
  };
}
