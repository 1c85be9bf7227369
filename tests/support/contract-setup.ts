/**
 * Vitest setup file: every JSON response the emulator sends to a test (including SDK traffic, as
 * @clerk/backend reads `globalThis.fetch` at call time under NODE_ENV=test) is validated against
 * Clerk's Backend API spec, and a test with violations fails in `afterEach`.
 */
import { afterEach } from "vitest";
import { clerkApiOrigins } from "./clerk-api-origins";
import { BAPI_SPEC, loadContract } from "./openapi-contract";

export interface ContractViolation {
  method: string;
  path: string;
  status: number;
  errors: string[];
}

/** Send this header (value `1`) on requests to non-Clerk endpoints, e.g. a webhook receiver. */
export const CONTRACT_SKIP_HEADER = "x-contract-skip";

interface ContractState {
  violations: ContractViolation[];
}

// Kept on globalThis so fetch is wrapped once per worker even if this module is evaluated again
// for another test file, with every evaluation reading the same list.
const STATE_KEY = Symbol.for("clerk-b2b-saas-reference.contract-state");
const globalState = globalThis as typeof globalThis & { [STATE_KEY]?: ContractState };
const state = globalState[STATE_KEY] ?? installFetchWrapper();
globalState[STATE_KEY] = state;

afterEach(() => {
  expectNoContractViolations();
});

/** Throws one error listing every contract violation recorded since the last check, and clears them. */
export function expectNoContractViolations(): void {
  const violations = state.violations.splice(0);
  if (violations.length === 0) return;
  const report = violations
    .map(({ method, path, status, errors }) =>
      [`${method} ${path} -> ${status}`, ...errors.map((error) => `    ${error}`)].join("\n"),
    )
    .join("\n");
  throw new Error(
    `${violations.length} response(s) violate Clerk's Backend API spec (${BAPI_SPEC}):\n${report}`,
  );
}

function installFetchWrapper(): ContractState {
  const created: ContractState = { violations: [] };
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await originalFetch(input, init);
    const url = requestUrl(input);
    if (url && isEmulatorApi(url) && !skipRequested(input, init)) {
      const method = (
        init?.method ?? (input instanceof Request ? input.method : "GET")
      ).toUpperCase();
      // The query goes along: `paginated=true` changes the shape Clerk answers with.
      const path = `${url.pathname}${url.search}`;
      const errors = await checkResponse(method, path, response);
      if (errors.length > 0) {
        created.violations.push({ method, path, status: response.status, errors });
      }
    }
    return response;
  };
  return created;
}

function requestUrl(input: RequestInfo | URL): URL | undefined {
  const href = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
  return URL.canParse(href) ? new URL(href) : undefined;
}

function isEmulatorApi(url: URL): boolean {
  // `/__emulator` is the emulator's own control surface, which Clerk's spec does not describe.
  return clerkApiOrigins.has(url.origin) && !url.pathname.startsWith("/__emulator");
}

function skipRequested(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
  // Like fetch itself, headers given in `init` replace those of a `Request` input.
  const headers = new Headers(
    init?.headers ?? (input instanceof Request ? input.headers : undefined),
  );
  return headers.get(CONTRACT_SKIP_HEADER) === "1";
}

async function checkResponse(method: string, path: string, response: Response): Promise<string[]> {
  const declaredJson = (response.headers.get("content-type") ?? "").startsWith("application/json");
  if (!declaredJson && response.status < 400) return [];
  const text = await response.clone().text();
  // Bodiless answers are not JSON documents whatever their content-type says.
  if (text === "" && (method === "HEAD" || [204, 205, 304].includes(response.status))) return [];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // An error page that is not JSON is only a violation if it claims to be JSON.
    return declaredJson
      ? [`content-type is application/json but the body is not JSON: ${text.slice(0, 200)}`]
      : [];
  }
  try {
    const result = loadContract(BAPI_SPEC).validateResponse({
      method,
      path,
      status: response.status,
      body,
    });
    return result.ok ? [] : result.errors;
  } catch (error) {
    // A broken contract must fail the test, not the request under test.
    return [`contract check failed: ${error instanceof Error ? error.message : String(error)}`];
  }
}
