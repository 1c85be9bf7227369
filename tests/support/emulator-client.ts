import { createClerkClient } from "@clerk/backend";
import { TEST_PUBLISHABLE_KEY, TEST_SECRET_KEY } from "./emulator-process";

// The real SDK, pointed at the emulator the way @clerk/nextjs points it with CLERK_API_URL.
export function clerkFor(apiUrl: string) {
  return createClerkClient({
    secretKey: TEST_SECRET_KEY,
    publishableKey: TEST_PUBLISHABLE_KEY,
    apiUrl,
  });
}

export type MintedSession = { session: { id: string; client_id: string }; token: string };

// Emulator-only helper (not Clerk): a signed-in session for a user, as if they had used the UI.
export async function mintSession(
  apiUrl: string,
  body: {
    user_id: string;
    organization_id?: string | null;
    lifetime_seconds?: number;
    backdate_seconds?: number;
  },
): Promise<MintedSession> {
  const res = await fetch(`${apiUrl}/__emulator/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`mint session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as MintedSession;
}

export async function emulatorRequest(
  apiUrl: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_SECRET_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let counter = 0;
// Unique per call, so tests sharing one emulator never collide on emails or slugs.
export function unique(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

// Emulator-only helper (not Clerk): the organization subscribes to a Clerk Billing plan, as its
// admin would in the checkout drawer with the organization's test card (an upgrade starts at once,
// a downgrade at the period's end). Organizations start on the free plan, whose limits (three
// projects, no audit log, no organization API keys) most suites would meet.
export async function subscribeOrganization(
  apiUrl: string,
  organizationId: string,
  plan: string,
  period: "month" | "annual" = "month",
): Promise<void> {
  const res = await emulatorRequest(
    apiUrl,
    "POST",
    `/__emulator/billing/organizations/${organizationId}/subscription`,
    { plan, period },
  );
  if (res.status !== 200) {
    throw new Error(`subscribe failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
