import { describe, expect, it } from "vitest";
import { EnvError, parseServerEnv } from "../../../src/env/server-env";

const VALID = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/app",
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_test_ZW11bGF0b3IuY2xlcmsuYWNjb3VudHMuZGV2JA",
  CLERK_SECRET_KEY: "sk_test_abc",
};

function failure(env: Record<string, string | undefined>): string {
  try {
    parseServerEnv(env);
  } catch (err) {
    if (err instanceof EnvError) return err.message;
    throw err;
  }
  throw new Error("expected the environment to be rejected");
}

describe("server environment", () => {
  it("accepts the minimum: database, publishable key, secret key", () => {
    expect(parseServerEnv(VALID)).toMatchObject(VALID);
  });

  it("names every missing variable and says how to fix it", () => {
    const message = failure({});
    expect(message).toMatch(/DATABASE_URL is required/);
    expect(message).toMatch(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is required/);
    expect(message).toMatch(/CLERK_SECRET_KEY is required/);
    expect(message).toMatch(/\.env\.example/);
    expect(message).toMatch(/npm run dev/);
  });

  it("names each malformed variable with what it should look like", () => {
    const message = failure({
      ...VALID,
      DATABASE_URL: "mysql://nope",
      CLERK_SECRET_KEY: "secret",
      CLERK_WEBHOOK_SIGNING_SECRET: "abc",
      NEXT_PUBLIC_CLERK_PROXY_URL: "clerk",
      CLERK_MACHINE_SECRET_KEY: "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
    });
    expect(message).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(message).toMatch(/CLERK_SECRET_KEY must look like sk_test_/);
    expect(message).toMatch(/CLERK_WEBHOOK_SIGNING_SECRET must look like whsec_/);
    expect(message).toMatch(/NEXT_PUBLIC_CLERK_PROXY_URL must be a path/);
    // A machine's id is not its secret key.
    expect(message).toMatch(/CLERK_MACHINE_SECRET_KEY must be a machine secret key \(ak_/);
  });

  it("treats empty strings as unset and splits the authorized parties", () => {
    const env = parseServerEnv({
      ...VALID,
      CLERK_API_URL: "",
      CLERK_AUTHORIZED_PARTIES: "http://localhost:3000, https://app.example.com",
    });
    expect(env.CLERK_API_URL).toBeUndefined();
    expect(env.CLERK_AUTHORIZED_PARTIES).toEqual([
      "http://localhost:3000",
      "https://app.example.com",
    ]);
  });

  it("trusts a verified API key for 10 s by default, 0 to 60 s when set", () => {
    expect(parseServerEnv(VALID).API_KEY_CACHE_SECONDS).toBe(10);
    expect(parseServerEnv({ ...VALID, API_KEY_CACHE_SECONDS: "0" }).API_KEY_CACHE_SECONDS).toBe(0);
    expect(parseServerEnv({ ...VALID, API_KEY_CACHE_SECONDS: "60" }).API_KEY_CACHE_SECONDS).toBe(
      60,
    );
    expect(failure({ ...VALID, API_KEY_CACHE_SECONDS: "61" })).toMatch(
      /API_KEY_CACHE_SECONDS must be at most 60/,
    );
    expect(failure({ ...VALID, API_KEY_CACHE_SECONDS: "1.5" })).toMatch(
      /API_KEY_CACHE_SECONDS must be a whole number of seconds/,
    );
  });
});
