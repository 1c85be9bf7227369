// Fault injection for webhook delivery, off unless asked for. Spec string, comma-separated:
//   duplicate       deliver every message a second time (same svix-id) after it succeeds
//   reorder=<ms>    hold new messages for <ms> and send each batch in reverse order
//   delay=<ms>      wait <ms> before each message's first attempt
//   fail-first      drop each message's first attempt (recorded as failed), so Svix's retry runs
export type WebhookFaults = {
  duplicate: boolean;
  reorderWindowMs: number;
  delayMs: number;
  failFirst: boolean;
};

export const NO_FAULTS: WebhookFaults = {
  duplicate: false,
  reorderWindowMs: 0,
  delayMs: 0,
  failFirst: false,
};

export class FaultSpecError extends Error {}

export function parseFaults(spec: string): WebhookFaults {
  const faults = { ...NO_FAULTS };
  for (const item of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value] = item.split("=");
    const ms = Number(value);
    if (name === "duplicate" && value === undefined) faults.duplicate = true;
    else if (name === "fail-first" && value === undefined) faults.failFirst = true;
    else if (name === "reorder" && Number.isInteger(ms) && ms > 0) faults.reorderWindowMs = ms;
    else if (name === "delay" && Number.isInteger(ms) && ms > 0) faults.delayMs = ms;
    else {
      throw new FaultSpecError(
        `unknown webhook fault "${item}" (expected duplicate, reorder=<ms>, delay=<ms>, fail-first)`,
      );
    }
  }
  return faults;
}
