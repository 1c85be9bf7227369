import { emulatorRequest } from "./emulator-client";

export type Mail = {
  subject: string;
  code: string | null;
  link: string | null;
  created_at: number;
};

// What the emulator "emailed" to an address, oldest first (emulator-only: there is no mail server).
export async function mailbox(emulatorUrl: string, to: string): Promise<Mail[]> {
  const res = await emulatorRequest(
    emulatorUrl,
    "GET",
    `/__emulator/mailbox?to=${encodeURIComponent(to)}`,
  );
  return res.body.data as Mail[];
}

// The newest code sent to an address.
export async function mailboxCode(emulatorUrl: string, to: string) {
  return (await mailbox(emulatorUrl, to)).at(-1)?.code ?? undefined;
}
