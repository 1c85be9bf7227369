import { expect } from "vitest";
import { clerkFor, unique } from "./emulator-client";
import type { EmulatorProcess } from "./emulator-process";
import { type FapiBrowser, fapiBrowser } from "./fapi-browser";
import { mailboxCode } from "./mailbox";

// Signs in with a password on a browser the way <SignIn/> does, Device Trust included: on a browser
// the user never had a session on, the emulator asks for the code it emails (read from its mailbox
// on the Backend API's origin, `emulatorUrl`). Answers the last response, complete.
export async function signInWithPassword(
  b: FapiBrowser,
  emulatorUrl: string,
  identifier: string,
  password: string,
) {
  const started = await b.call("POST", "/v1/client/sign_ins", { identifier, password });
  const signIn = started.body.response;
  if (signIn?.status !== "needs_client_trust") return started;
  const factor = signIn.supported_second_factors[0];
  await b.call("POST", `/v1/client/sign_ins/${signIn.id}/prepare_second_factor`, {
    strategy: factor.strategy,
    email_address_id: factor.email_address_id,
  });
  const code = await mailboxCode(emulatorUrl, factor.safe_identifier);
  const done = await b.call("POST", `/v1/client/sign_ins/${signIn.id}/attempt_second_factor`, {
    strategy: factor.strategy,
    code: code as string,
  });
  expect(done.body.response.status).toBe("complete");
  return done;
}

export type SignedInAccount = {
  b: FapiBrowser;
  userId: string;
  email: string;
  password: string;
  sessionId: string;
  // A /v1/me path as clerk-js calls it, naming the session.
  me: (path?: string) => string;
};

// A new user with a password (created through the Backend API), signed in on a browser of their
// own (`origin`: the app it is on).
export async function signedInAccount(
  emulator: Pick<EmulatorProcess, "url" | "frontendUrl">,
  label: string,
  options: { password?: string; origin?: string } = {},
): Promise<SignedInAccount> {
  const email = `${unique(label)}@example.com`;
  const password = options.password ?? "account-password-1";
  const user = await clerkFor(emulator.url).users.createUser({ emailAddress: [email], password });
  const b = await fapiBrowser(emulator.frontendUrl, options.origin);
  const res = await signInWithPassword(b, emulator.url, email, password);
  const sessionId = res.body.response.created_session_id;
  return {
    b,
    userId: user.id,
    email,
    password,
    sessionId,
    me: (path = "") => `/v1/me${path}?_clerk_session_id=${sessionId}`,
  };
}
