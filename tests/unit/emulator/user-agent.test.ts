import { describe, expect, it } from "vitest";
import { describeAddress } from "../../../emulator/src/domain/client-location";
import { describeUserAgent } from "../../../emulator/src/domain/user-agent";

describe("the browser and device a session signed in from", () => {
  it.each([
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36",
      {
        browserName: "Chrome",
        browserVersion: "131.0.6778.85",
        deviceType: "Linux",
        isMobile: false,
      },
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
      {
        browserName: "Edge",
        browserVersion: "131.0.2903.70",
        deviceType: "Windows",
        isMobile: false,
      },
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
      { browserName: "Firefox", browserVersion: "133.0", deviceType: "Macintosh", isMobile: false },
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
      {
        browserName: "Chrome",
        browserVersion: "131.0.6778.81",
        deviceType: "Android",
        isMobile: true,
      },
    ],
    [
      "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      { browserName: "Mobile Safari", browserVersion: "17.5", deviceType: "iPad", isMobile: false },
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      {
        browserName: "Mobile Safari",
        browserVersion: "17.5",
        deviceType: "iPhone",
        isMobile: true,
      },
    ],
  ])("reads %s", (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toEqual(expected);
  });

  it("names nothing it cannot tell", () => {
    expect(describeUserAgent("curl/8.5.0")).toEqual({
      browserName: undefined,
      browserVersion: undefined,
      deviceType: undefined,
      isMobile: false,
    });
  });

  it("places only what an address itself says, having no geolocation", () => {
    expect(describeAddress("127.0.0.1")).toEqual({ country: "This machine" });
    expect(describeAddress("::1")).toEqual({ country: "This machine" });
    expect(describeAddress("10.1.2.3")).toEqual({ country: "Private network" });
    expect(describeAddress("172.20.0.1")).toEqual({ country: "Private network" });
    expect(describeAddress("172.32.0.1")).toEqual({});
    expect(describeAddress("203.0.113.9")).toEqual({});
    expect(describeAddress("not an address")).toEqual({});
  });
});
