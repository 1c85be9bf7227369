import { describe, expect, it } from "vitest";
import { clientAddressFrom, clientRequestIdFrom, serverRequestId } from "@/http/request-identity";

const headers = (init: Record<string, string>) => new Headers(init);

describe("request identity", () => {
  it("gives every request an id of its own, whatever the client sent", () => {
    const [one, two] = [serverRequestId(), serverRequestId()];
    expect(one).toMatch(/^[0-9a-f-]{36}$/);
    expect(one).not.toBe(two);
  });

  it("keeps a well-formed id a client (or a load balancer) sent as the client's", () => {
    expect(clientRequestIdFrom(headers({ "x-request-id": "lb-7f3a9c21.abc" }))).toBe(
      "lb-7f3a9c21.abc",
    );
  });

  it.each([
    ["too short", "abc"],
    ["with spaces", "id with spaces 123"],
    ["with quotes", 'abcdefgh"}, {"forged":"'],
    ["too long", "a".repeat(129)],
  ])("drops a client's id that is %s", (_label, id) => {
    expect(clientRequestIdFrom(headers({ "x-request-id": id }))).toBeNull();
  });

  it("takes the client address from the rightmost X-Forwarded-For entry", () => {
    expect(clientAddressFrom(headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" }))).toBe(
      "203.0.113.9",
    );
    expect(clientAddressFrom(headers({ "x-forwarded-for": "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientAddressFrom(headers({}))).toBeNull();
  });

  it("looks past the trusted proxies in front of the app, never further", () => {
    const h = headers({ "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.2" });
    expect(clientAddressFrom(h, 1)).toBe("198.51.100.4");
    expect(clientAddressFrom(headers({ "x-forwarded-for": "10.0.0.2" }), 3)).toBe("10.0.0.2");
  });
});

// What each hop in front of the app does to X-Forwarded-For, and the TRUSTED_PROXY_HOPS the README
// ("Deploying") gives each platform: the address taken is the client's, whatever it forged.
describe("the client address on each platform", () => {
  const client = "198.51.100.4";
  const forged = "6.6.6.6";
  // A proxy that appends the address its request came from, as scripts/serve.ts, nginx
  // ($proxy_add_x_forwarded_for) and cloud load balancers do.
  const appends = (xff: string | null, peer: string) => (xff ? `${xff}, ${peer}` : peer);
  const address = (xff: string, hops: number) =>
    clientAddressFrom(headers({ "x-forwarded-for": xff }), hops);

  it("npm start or the container, clients connecting to it directly: TRUSTED_PROXY_HOPS=0", () => {
    expect(address(appends(forged, client), 0)).toBe(client);
    expect(address(appends(null, client), 0)).toBe(client);
  });

  it("the container behind one load balancer: TRUSTED_PROXY_HOPS=1", () => {
    const balancer = "10.0.0.2";
    expect(address(appends(appends(forged, client), balancer), 1)).toBe(client);
    expect(address(appends(appends(null, client), balancer), 1)).toBe(client);
  });

  it("behind a CDN and a load balancer, both appending: TRUSTED_PROXY_HOPS=2", () => {
    const cdn = "203.0.113.50";
    const balancer = "10.0.0.2";
    expect(address(appends(appends(appends(forged, client), cdn), balancer), 2)).toBe(client);
  });

  it("Vercel, which replaces X-Forwarded-For with the client's address (no serve.ts): TRUSTED_PROXY_HOPS=0", () => {
    // What the client sent is dropped at Vercel's edge; the function sees its address alone.
    expect(address(client, 0)).toBe(client);
  });

  it("a hop too many would hand the choice to the client; a hop too few names a proxy", () => {
    const balancer = "10.0.0.2";
    expect(address(appends(appends(forged, client), balancer), 2)).toBe(forged);
    expect(address(appends(appends(forged, client), balancer), 0)).toBe(balancer);
  });
});
