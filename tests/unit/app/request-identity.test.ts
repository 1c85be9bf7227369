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
