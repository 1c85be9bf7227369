import { expect } from "vitest";
import { CONTRACT_SKIP_HEADER } from "./contract-setup";
import { FAPI_SPEC, loadContract } from "./openapi-contract";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON; the spec check and the assertions give it its shape
export type WireJson = any;

// Frontend API calls are held to the FAPI spec here, not to the Backend API's.
export const SKIP_BAPI_CONTRACT = { [CONTRACT_SKIP_HEADER]: "1" };

export type FapiBrowser = {
  devBrowser: string;
  // A field given as an array is sent once per value, as clerk-js sends arrays. A FormData body
  // goes as multipart (an upload).
  call: (
    method: string,
    path: string,
    form?: Record<string, string | string[]> | FormData,
  ) => Promise<{ status: number; body: WireJson }>;
};

// A browser speaking the Frontend API the way clerk-js does (form bodies, ?_method=,
// __clerk_db_jwt on every call, the app's origin), without a browser: its own dev browser, and
// every answer held to Clerk's FAPI specification. `headers` go with every call (a User-Agent,
// or what the app's Frontend API proxy adds).
export async function fapiBrowser(
  frontendApiUrl: string,
  origin = "http://localhost:3000",
  headers: Record<string, string> = {},
): Promise<FapiBrowser> {
  const res = await fetch(`${frontendApiUrl}/v1/dev_browser`, {
    method: "POST",
    headers: SKIP_BAPI_CONTRACT,
  });
  const devBrowser = ((await res.json()) as { id: string }).id;
  return {
    devBrowser,
    async call(method, path, form) {
      const url = new URL(path, frontendApiUrl);
      url.searchParams.set("__clerk_db_jwt", devBrowser);
      if (method !== "GET" && method !== "POST") url.searchParams.set("_method", method);
      const multipart = form instanceof FormData;
      const body = new URLSearchParams();
      for (const [key, value] of multipart ? [] : Object.entries(form ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      }
      const response = await fetch(url, {
        method: method === "GET" ? "GET" : "POST",
        headers: {
          ...headers,
          ...SKIP_BAPI_CONTRACT,
          origin,
          ...(form && !multipart ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body: multipart ? form : form ? body.toString() : undefined,
      });
      const json = await response.json();
      const contract = loadContract(FAPI_SPEC).validateResponse({
        method,
        path: url.pathname + url.search,
        status: response.status,
        body: json,
      });
      expect(contract.ok ? [] : contract.errors, `${method} ${path} against the FAPI spec`).toEqual(
        [],
      );
      return { status: response.status, body: json };
    },
  };
}
