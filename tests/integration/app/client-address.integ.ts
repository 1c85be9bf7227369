import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppProcess, startApp } from "../../support/app-process";
import { clerkFor, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../../support/emulator-process";
import { SKIP_BAPI_CONTRACT, type WireJson } from "../../support/fapi-browser";

// The browser's address reaches Clerk through the app's Frontend API proxy (`/__clerk`), which
// tells Clerk who the client is: the address the app trusts (TRUSTED_PROXY_HOPS), never one the
// browser wrote into X-Forwarded-For, X-Real-IP or CF-Connecting-IP itself. Clerk shows it in
// <UserProfile/>'s "Active devices".

let emulator: EmulatorProcess;
let direct: AppProcess;
let behindBalancer: AppProcess;
const PASSWORD = "client-address-pw-1";
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  const databaseUrl = inject("databaseUrl");
  direct = await startApp({ emulator: emulator, databaseUrl });
  behindBalancer = await startApp({
    emulator: emulator,
    databaseUrl,
    env: { TRUSTED_PROXY_HOPS: "1" },
  });
});
afterAll(async () => {
  await direct?.stop();
  await behindBalancer?.stop();
  await emulator?.stop();
  if (emulator) removeDataDir(emulator.dataDir);
});

// Signs in with a password through the app's proxy, as clerk-js does, sending `headers` with every
// call; answers the new session's latest activity.
async function signInThrough(app: AppProcess, headers: Record<string, string>) {
  const email = `${unique("addr")}@example.com`;
  await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password: PASSWORD });
  let devBrowser = "";
  const call = async (method: string, path: string, form?: Record<string, string>) => {
    const url = new URL(`${app.url}/__clerk${path}`);
    if (devBrowser) url.searchParams.set("__clerk_db_jwt", devBrowser);
    const res = await fetch(url, {
      method,
      headers: {
        ...headers,
        ...SKIP_BAPI_CONTRACT,
        "user-agent": USER_AGENT,
        origin: app.url,
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    expect(res.status, `${method} ${path}`).toBe(200);
    return (await res.json()) as WireJson;
  };
  devBrowser = (await call("POST", "/v1/dev_browser")).id;
  const signIn = await call("POST", "/v1/client/sign_ins", { identifier: email });
  const done = await call(
    "POST",
    `/v1/client/sign_ins/${signIn.response.id}/attempt_first_factor`,
    {
      strategy: "password",
      password: PASSWORD,
    },
  );
  expect(done.response.status).toBe("complete");
  const [session] = await call("GET", "/v1/me/sessions/active");
  return session.latest_activity;
}

describe("the client address Clerk records for a sign-in through the app", () => {
  it("is the connection's address when the browser connects directly, whatever it claims", async () => {
    const activity = await signInThrough(direct, {
      "x-forwarded-for": "203.0.113.9",
      "x-real-ip": "203.0.113.8",
      "cf-connecting-ip": "203.0.113.7",
    });
    expect(activity).toMatchObject({
      ip_address: "127.0.0.1",
      browser_name: "Chrome",
      device_type: "Linux",
    });
  });

  it("is the address the trusted load balancer appended, not what the browser put before it", async () => {
    const activity = await signInThrough(behindBalancer, {
      "x-forwarded-for": "203.0.113.9, 198.51.100.4",
      "x-real-ip": "203.0.113.8",
    });
    expect(activity.ip_address).toBe("198.51.100.4");
  });
});
