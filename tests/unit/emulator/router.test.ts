import { describe, expect, it } from "vitest";
import { Router, splitUrl } from "../../../emulator/src/http/router";

const ok = () => ({ status: 204 as const });

describe("splitUrl", () => {
  it("collapses the double slash clerk-js sends through a proxy (//api_keys)", () => {
    expect(splitUrl("//api_keys?subject=user_1").path).toBe("/api_keys");
    expect(splitUrl("//api_keys?subject=user_1").query.get("subject")).toBe("user_1");
  });

  it("drops trailing slashes and keeps repeated query parameters", () => {
    const { path, query } = splitUrl("/v1/users/?email_address=a&email_address=b");
    expect(path).toBe("/v1/users");
    expect(query.getAll("email_address")).toEqual(["a", "b"]);
  });
});

describe("Router", () => {
  const router = new Router()
    .add("GET", "/v1/users/:id", ok)
    .add("GET", "/v1/users/count", ok)
    .add("POST", "/v1/users", ok);

  it("prefers literal segments over parameters", () => {
    const m = router.match("backend", "GET", "/v1/users/count");
    expect(m.route && "params" in m ? m.params : null).toEqual({});
  });

  it("decodes path parameters", () => {
    const m = router.match("backend", "GET", "/v1/users/user%5F1");
    expect(m.route && "params" in m ? m.params : null).toEqual({ id: "user_1" });
  });

  it("tells a wrong method from an unknown path", () => {
    expect(router.match("backend", "DELETE", "/v1/users")).toEqual({
      route: null,
      methodNotAllowed: true,
    });
    expect(router.match("backend", "GET", "/v2/nothing")).toEqual({
      route: null,
      methodNotAllowed: false,
    });
  });

  it("serves each route on its own origin only, as Clerk's two APIs", () => {
    const apis = new Router()
      .add("GET", "/v1/organizations/:id", ok, "secret")
      .add("PATCH", "/v1/organizations/:id", ok, "frontend")
      .add("GET", "/api_keys", ok, "both")
      .add("GET", "/__emulator", ok, "open");
    expect(apis.match("frontend", "GET", "/v1/organizations/org_1").route).toBeNull();
    expect(apis.match("backend", "PATCH", "/v1/organizations/org_1").route).toBeNull();
    expect(apis.match("frontend", "PATCH", "/v1/organizations/org_1").route?.auth).toBe("frontend");
    expect(apis.match("frontend", "GET", "/api_keys").route?.auth).toBe("both");
    expect(apis.match("backend", "GET", "/api_keys").route?.auth).toBe("both");
    expect(apis.match("frontend", "GET", "/__emulator").route).toBeNull();
  });
});
