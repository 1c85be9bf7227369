import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InstanceSettings, readInstanceSettings } from "../../../clerk/instance-settings";
import { clerkFor, emulatorRequest, unique } from "../../support/emulator-client";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
  TEST_WEBHOOK_SECRET,
} from "../../support/emulator-process";
import { type FapiBrowser, fapiBrowser } from "../../support/fapi-browser";
import { mailbox } from "../../support/mailbox";
import { startWebhookReceiver } from "../../support/webhook-receiver";

// Email links as clerk-js drives them (createEmailLinkFlow: prepare with a redirect URL, then poll
// the sign-in, sign-up or address), the link opened the way another tab or device opens it: a
// plain GET with none of the first browser's cookies.
let emulator: EmulatorProcess;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const declared = readInstanceSettings();

beforeAll(async () => {
  receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  emulator = await startEmulatorProcess({ env: { EMULATOR_WEBHOOK_URL: receiver.url } });
});
afterAll(async () => {
  await emulator?.stop();
  await receiver?.close();
  if (emulator) removeDataDir(emulator.dataDir);
});

const APP = "http://localhost:3000";
const password = "long-enough-1";

async function useSettings(change: (s: InstanceSettings) => void) {
  const settings = structuredClone(declared);
  change(settings);
  const res = await emulatorRequest(emulator.url, "PUT", "/__emulator/instance_settings", settings);
  expect(res.status).toBe(200);
}

// The newest link mailed to `to`, and what opening it answers.
async function openLinkMailedTo(to: string) {
  const link = (await mailbox(emulator.url, to)).at(-1)?.link;
  expect(link).toMatch(new RegExp(`^${emulator.frontendUrl}/v1/verify\\?token=`));
  const res = await fetch(link as string, {
    redirect: "manual",
    headers: { "x-contract-skip": "1" },
  });
  expect(res.status).toBe(303);
  return new URL(res.headers.get("location") as string);
}

async function signedIn(email: string) {
  await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password });
  const b = await fapiBrowser(emulator.frontendUrl);
  const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
  const done = await b.call(
    "POST",
    `/v1/client/sign_ins/${started.body.response.id}/attempt_first_factor`,
    { strategy: "password", password },
  );
  return { b, sessionId: done.body.response.created_session_id as string };
}

describe("signing in with an email link", () => {
  it("mails a link; opened in another tab, it signs the waiting browser in, which learns it by polling", async () => {
    const email = `${unique("link-in")}@example.com`;
    const user = await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password });
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    const signInId = started.body.response.id;
    const factor = started.body.response.supported_first_factors.find(
      (f: { strategy: string }) => f.strategy === "email_link",
    );
    expect(factor).toMatchObject({ safe_identifier: email, primary: true });

    const prepared = await b.call("POST", `/v1/client/sign_ins/${signInId}/prepare_first_factor`, {
      strategy: "email_link",
      email_address_id: factor.email_address_id,
      redirect_url: `${APP}/sign-in/verify`,
    });
    expect(prepared.body.response.first_factor_verification).toMatchObject({
      object: "verification_email_link",
      status: "unverified",
      strategy: "email_link",
    });
    const poll = () => b.call("GET", `/v1/client/sign_ins/${signInId}`);
    expect((await poll()).body.response.status).toBe("needs_first_factor");

    const landing = await openLinkMailedTo(email);
    expect(landing.origin + landing.pathname).toBe(`${APP}/sign-in/verify`);
    expect(landing.searchParams.get("__clerk_status")).toBe("verified");
    const sessionId = landing.searchParams.get("__clerk_created_session");

    const polled = await poll();
    expect(polled.body.response).toMatchObject({
      status: "complete",
      created_session_id: sessionId,
      first_factor_verification: { status: "verified", strategy: "email_link" },
    });
    // Verified in another tab or device, as Clerk's development instances see it.
    expect(polled.body.response.first_factor_verification).not.toHaveProperty("verified_at_client");
    expect(polled.body.client.sessions.map((s: { id: string }) => s.id)).toEqual([sessionId]);
    expect(polled.body.client.sessions[0].user.id).toBe(user.id);

    // Opened again: still verified, the same session, nothing more.
    const again = await openLinkMailedTo(email);
    expect(again.searchParams.get("__clerk_created_session")).toBe(sessionId);
    expect(
      (await clerkFor(emulator.url).sessions.getSessionList({ userId: user.id })).data,
    ).toHaveLength(1);
  });

  it("refuses a link nobody sent, a redirect outside the app and a code attempt on a link", async () => {
    const unknown = await fetch(`${emulator.frontendUrl}/v1/verify?token=made-up`, {
      redirect: "manual",
      headers: { "x-contract-skip": "1" },
    });
    expect(unknown.status).toBe(400);

    const email = `${unique("link-refused")}@example.com`;
    await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password });
    const b = await fapiBrowser(emulator.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    const id = started.body.response.id;
    const away = await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "email_link",
      redirect_url: "https://elsewhere.example/verify",
    });
    expect(away.status).toBe(400);
    expect(away.body.errors[0].meta.param_name).toBe("redirect_url");
    const missing = await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "email_link",
    });
    expect(missing.body.errors[0]).toMatchObject({ code: "form_param_missing" });
  });

  it("is not offered, nor accepted, when the instance has email links off", async () => {
    await useSettings((s) => {
      s.first_factors.email_link = false;
    });
    try {
      const email = `${unique("link-off")}@example.com`;
      await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password });
      const b = await fapiBrowser(emulator.frontendUrl);
      const env = (await b.call("GET", "/v1/environment")).body;
      expect(env.user_settings.attributes.email_address.first_factors).toEqual(["email_code"]);
      const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
      expect(
        started.body.response.supported_first_factors.map((f: { strategy: string }) => f.strategy),
      ).not.toContain("email_link");
      const refused = await b.call(
        "POST",
        `/v1/client/sign_ins/${started.body.response.id}/prepare_first_factor`,
        { strategy: "email_link", redirect_url: `${APP}/sign-in/verify` },
      );
      expect(refused.body.errors[0].code).toBe("strategy_for_user_invalid");
    } finally {
      await useSettings(() => {});
    }
  });
});

describe("verifying an address with an email link", () => {
  // Where the instance verifies addresses by link: Clerk's components then mail links, not codes.
  beforeAll(() =>
    useSettings((s) => {
      s.identifiers.email_address.verifications = { email_code: false, email_link: true };
    }),
  );
  afterAll(() => useSettings(() => {}));

  it("signs up: the link verifies the address and completes the sign-up the browser polls", async () => {
    const b: FapiBrowser = await fapiBrowser(emulator.frontendUrl);
    const env = (await b.call("GET", "/v1/environment")).body;
    expect(env.user_settings.attributes.email_address.verifications).toEqual(["email_link"]);
    const email = `${unique("link-up")}@example.com`;
    const created = await b.call("POST", "/v1/client/sign_ups", { email_address: email, password });
    const id = created.body.response.id;
    const code = await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_code",
    });
    expect(code.body.errors[0].code).toBe("strategy_for_user_invalid");
    const prepared = await b.call("POST", `/v1/client/sign_ups/${id}/prepare_verification`, {
      strategy: "email_link",
      redirect_url: `${APP}/sign-up/verify`,
    });
    expect(prepared.body.response.verifications.email_address).toMatchObject({
      object: "verification_email_link",
      status: "unverified",
    });

    const landing = await openLinkMailedTo(email);
    expect(landing.searchParams.get("__clerk_status")).toBe("verified");
    const polled = await b.call("GET", `/v1/client/sign_ups/${id}`);
    expect(polled.body.response).toMatchObject({
      status: "complete",
      created_session_id: landing.searchParams.get("__clerk_created_session"),
    });
    expect(polled.body.client.sessions[0].user.email_addresses[0].verification).toMatchObject({
      object: "verification_email_link",
      status: "verified",
    });
  });

  it("verifies an address added in <UserProfile/>, which polls it", async () => {
    const email = `${unique("link-profile")}@example.com`;
    const { b, sessionId } = await signedIn(email);
    const added = await b.call("POST", `/v1/me/email_addresses?_clerk_session_id=${sessionId}`, {
      email_address: `second-${email}`,
    });
    const addressId = added.body.response.id;
    await b.call(
      "POST",
      `/v1/me/email_addresses/${addressId}/prepare_verification?_clerk_session_id=${sessionId}`,
      { strategy: "email_link", redirect_url: `${APP}/settings/account` },
    );
    const landing = await openLinkMailedTo(`second-${email}`);
    expect(landing.searchParams.get("__clerk_status")).toBe("verified");
    expect(landing.searchParams.has("__clerk_created_session")).toBe(false);
    const polled = await b.call(
      "GET",
      `/v1/me/email_addresses/${addressId}?_clerk_session_id=${sessionId}`,
    );
    expect(polled.body.response.verification).toMatchObject({
      object: "verification_email_link",
      status: "verified",
    });
    await receiver.waitFor((all) =>
      all.some(
        (d) =>
          d.type === "user.updated" &&
          JSON.stringify(d.payload.data).includes(`"second-${email}"`) &&
          JSON.stringify(d.payload.data).includes("verification_email_link"),
      ),
    );
  });
});

it("tells the page an expired link is expired, and the polling browser too", async () => {
  const short = await startEmulatorProcess({ env: { EMULATOR_CODE_TTL_SECONDS: "1" } });
  try {
    const email = `${unique("link-late")}@example.com`;
    await clerkFor(short.url).users.createUser({ emailAddress: [email], password });
    const b = await fapiBrowser(short.frontendUrl);
    const started = await b.call("POST", "/v1/client/sign_ins", { identifier: email });
    const id = started.body.response.id;
    await b.call("POST", `/v1/client/sign_ins/${id}/prepare_first_factor`, {
      strategy: "email_link",
      redirect_url: `${APP}/sign-in/verify`,
    });
    await new Promise((r) => setTimeout(r, 1_200));
    const link = (await mailbox(short.url, email)).at(-1)?.link as string;
    const res = await fetch(link, { redirect: "manual", headers: { "x-contract-skip": "1" } });
    expect(new URL(res.headers.get("location") as string).searchParams.get("__clerk_status")).toBe(
      "expired",
    );
    const polled = await b.call("GET", `/v1/client/sign_ins/${id}`);
    expect(polled.body.response.first_factor_verification.status).toBe("expired");
    expect(polled.body.client.sessions).toEqual([]);
  } finally {
    await short.stop();
    removeDataDir(short.dataDir);
  }
});
