import { generateKeyPair, SignJWT } from "jose";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import {
  isOpaqueMachineToken,
  presentedTokenType,
  signedTokens,
  tokenTypeOf,
} from "@/auth/gates/credentials";

// How the gates tell token types apart before anyone verifies anything, as @clerk/backend does.

const { privateKey } = await generateKeyPair("RS256");
const jwt = (header: Record<string, unknown>, claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "ins_test", ...header })
    .sign(privateKey);

const request = (headers: Record<string, string>) =>
  new NextRequest("http://localhost:3000/api/v1/me", { headers });

describe("token types", () => {
  it("reads opaque machine tokens by their prefix", () => {
    expect(tokenTypeOf("ak_abc")).toBe("api_key");
    expect(tokenTypeOf("mt_abc")).toBe("m2m_token");
    expect(tokenTypeOf("oat_abc")).toBe("oauth_token");
    expect(["ak_x", "mt_x", "oat_x"].every(isOpaqueMachineToken)).toBe(true);
  });

  it("reads a JWT by its claims: a machine subject is M2M, at+jwt is OAuth, the rest sessions", async () => {
    expect(tokenTypeOf(await jwt({ cat: "cl_B7d4PD333AAA" }, { sub: "mch_1" }))).toBe("m2m_token");
    expect(tokenTypeOf(await jwt({ typ: "at+jwt" }, { sub: "user_1" }))).toBe("oauth_token");
    expect(tokenTypeOf(await jwt({ typ: "JWT" }, { sub: "user_1", sid: "sess_1" }))).toBe(
      "session_token",
    );
    // Anything else is taken for a session token, which verification then refuses.
    expect(tokenTypeOf("garbage")).toBe("session_token");
    expect(isOpaqueMachineToken(await jwt({}, { sub: "mch_1" }))).toBe(false);
  });

  it("says what a request presents: its bearer's type, a session for session cookies, else nothing", () => {
    expect(presentedTokenType(request({}), null)).toBeNull();
    expect(presentedTokenType(request({ cookie: "__session=abc" }), null)).toBe("session_token");
    expect(presentedTokenType(request({ cookie: "__client_uat=0" }), null)).toBeNull();
    expect(presentedTokenType(request({}), "mt_abc")).toBe("m2m_token");
  });

  it("hands JWTs, never opaque tokens, to the signing-key check", async () => {
    const machineJwt = await jwt({}, { sub: "mch_1" });
    expect(signedTokens(request({}), machineJwt)).toEqual([machineJwt]);
    expect(signedTokens(request({}), "mt_abc")).toEqual([]);
    expect(signedTokens(request({ cookie: "__session=s1" }), null)).toEqual(["s1"]);
  });
});
