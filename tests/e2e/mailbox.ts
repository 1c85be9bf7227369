import { expect } from "@playwright/test";
import { EMULATOR_DEFAULTS } from "../../emulator/src/config";
import { EMULATOR_URL } from "./ports";

type Mail = {
  to: string;
  subject: string;
  code: string | null;
  link: string | null;
  created_at: number;
};

// What the emulator "emailed" to an address, oldest first (emulator-only, not Clerk: there is no
// mail server).
export async function mailTo(address: string): Promise<Mail[]> {
  const res = await fetch(`${EMULATOR_URL}/__emulator/mailbox?to=${encodeURIComponent(address)}`, {
    headers: { authorization: `Bearer ${EMULATOR_DEFAULTS.secretKey}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Mail[] }).data;
}

// The code of the first mail to `address` sent after `since` (ms), as a user would open it.
export async function codeMailedTo(address: string, since: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(async () => {
      code = (await mailTo(address)).find((m) => m.created_at >= since)?.code ?? undefined;
      return code;
    })
    .toMatch(/^\d{6}$/);
  return code as string;
}
