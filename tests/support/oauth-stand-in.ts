import { expect } from "vitest";
import { SKIP_BAPI_CONTRACT } from "./fapi-browser";

// A browser's trip through the emulator's stand-in provider page and the Frontend API's OAuth
// callback, without a browser: open the page, submit a choice the way its forms do, follow the
// provider's redirect to /v1/oauth_callback, and report where that sends the browser.

export type StandInChoice =
  | { account: number }
  | {
      typed: {
        email_address: string;
        first_name?: string;
        last_name?: string;
        username?: string;
        email_verified?: boolean;
      };
    }
  | "cancel";

function choiceForm(state: string, choice: StandInChoice) {
  const form = new URLSearchParams({ state });
  if (choice === "cancel") form.set("account", "cancel");
  else if ("account" in choice) form.set("account", String(choice.account));
  else {
    const { email_verified = true, ...fields } = choice.typed;
    form.set("account", "typed");
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
    if (email_verified) form.set("email_verified", "true");
  }
  return form;
}

export async function throughStandIn(authorizeUrl: string, choice: StandInChoice) {
  const pageRes = await fetch(authorizeUrl, { headers: SKIP_BAPI_CONTRACT });
  expect(pageRes.status).toBe(200);
  const html = await pageRes.text();
  expect(html).toContain("Clerk emulator");
  const state = new URL(authorizeUrl).searchParams.get("state") as string;
  const consent = await fetch(authorizeUrl, {
    method: "POST",
    redirect: "manual",
    headers: { ...SKIP_BAPI_CONTRACT, "content-type": "application/x-www-form-urlencoded" },
    body: choiceForm(state, choice).toString(),
  });
  expect(consent.status).toBe(303);
  const callback = consent.headers.get("location") as string;
  const back = await fetch(callback, { redirect: "manual", headers: SKIP_BAPI_CONTRACT });
  expect(back.status, await back.clone().text()).toBe(303);
  return { html, callback, landing: new URL(back.headers.get("location") as string) };
}
