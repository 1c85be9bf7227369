import { expect } from "vitest";
import { emulatorRequest } from "./emulator-client";
import { FAPI_SPEC, loadContract } from "./openapi-contract";

// The Frontend API as clerk-js speaks it (form bodies, ?_method=, __clerk_db_jwt on every call),
// without a browser, every answer held to Clerk's FAPI specification.

// biome-ignore lint/suspicious/noExplicitAny: wire JSON; the spec check and the assertions give it its shape
export type WireJson = any;

export type FapiBrowser = {
  devBrowser: string;
  // A FormData body goes as multipart (an upload), anything else form-encoded.
  call: (
    method: string,
    path: string,
    form?: Record<string, string> | FormData,
  ) => Promise<{ status: number; body: WireJson }>;
};

// These are Frontend API calls: held to the FAPI spec here, not to the Backend API's.
export const SKIP_BAPI_CONTRACT = { "x-contract-skip": "1" };

// A browser: one dev browser of its own.
export async function fapiBrowser(emulatorUrl: string): Promise<FapiBrowser> {
  const res = await fetch(`${emulatorUrl}/v1/dev_browser`, {
    method: "POST",
    headers: SKIP_BAPI_CONTRACT,
  });
  const devBrowser = ((await res.json()) as { id: string }).id;
  return {
    devBrowser,
    async call(method, path, form) {
      const url = new URL(path, emulatorUrl);
      url.searchParams.set("__clerk_db_jwt", devBrowser);
      if (method !== "GET" && method !== "POST") url.searchParams.set("_method", method);
      const multipart = form instanceof FormData;
      const response = await fetch(url, {
        method: method === "GET" ? "GET" : "POST",
        headers: {
          ...SKIP_BAPI_CONTRACT,
          origin: "http://localhost:3000",
          ...(form && !multipart ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body: multipart ? form : form ? new URLSearchParams(form).toString() : undefined,
      });
      const body = await response.json();
      const contract = loadContract(FAPI_SPEC).validateResponse({
        method,
        path: url.pathname + url.search,
        status: response.status,
        body,
      });
      expect(contract, `${method} ${path} against the FAPI spec`).toMatchObject({ ok: true });
      return { status: response.status, body };
    },
  };
}

// The newest code "emailed" to an address (emulator-only mailbox).
export async function mailboxCode(emulatorUrl: string, to: string) {
  const res = await emulatorRequest(
    emulatorUrl,
    "GET",
    `/__emulator/mailbox?to=${encodeURIComponent(to)}`,
  );
  return res.body.data.at(-1)?.code as string | undefined;
}
