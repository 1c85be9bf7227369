import { Webhook } from "svix";
import type { EmulatorConfig } from "../config";
import type { Ctx } from "../core";
import { newId } from "../store/ids";
import type { WebhookMessage } from "../store/records";
import type { Store } from "../store/store";
import { NO_FAULTS, type WebhookFaults } from "./faults";

// Svix's retry schedule: the first attempt at once, then these delays after each failure.
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

// How much of an endpoint's answer an attempt keeps (Svix's dashboard shows it too).
const RESPONSE_KEPT_CHARS = 200;

type Log = (line: string) => void;

// Delivers Clerk events the way Clerk's Svix endpoint does: one svix-id per message, kept
// across retries, each attempt signed afresh with the current timestamp.
export class WebhookDispatcher {
  faults: WebhookFaults;
  private readonly signer: Webhook;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private held: WebhookMessage[] = [];
  // While on hold (EMULATOR_WEBHOOK_HOLD), messages due for their first attempt wait here.
  private onHold: boolean;
  // (A set: the seed's messages are scheduled both when emitted and by start().)
  private waiting = new Set<WebhookMessage>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly config: EmulatorConfig,
    private readonly now: () => number,
    private readonly log: Log,
    faults: WebhookFaults = NO_FAULTS,
  ) {
    this.signer = new Webhook(config.webhookSigningSecret);
    this.faults = faults;
    this.onHold = config.webhookHold;
  }

  get holding(): boolean {
    return this.onHold;
  }

  // Ends the hold: everything queued meanwhile is attempted now, in the order it was emitted,
  // and from here on deliveries (and their retries, on Svix's schedule) go out as usual.
  release(): void {
    this.onHold = false;
    const queued = [...this.waiting];
    this.waiting.clear();
    for (const m of queued) this.schedule(m, 0);
  }

  get enabled(): boolean {
    return this.config.webhookUrl !== undefined;
  }

  emit(ctx: Ctx, type: string, data: unknown): void {
    if (!this.enabled) return;
    const createdAt = this.now();
    const payload = JSON.stringify({
      data,
      event_attributes: {
        http_request: { client_ip: ctx.origin.clientIp, user_agent: ctx.origin.userAgent },
      },
      instance_id: this.store.state.instanceId,
      object: "event",
      timestamp: createdAt,
      type,
    });
    const message: WebhookMessage = {
      id: newId("msg"),
      eventType: type,
      payload,
      createdAt,
      state: "pending",
      attempts: [],
      nextAttemptAt: createdAt,
    };
    this.store.state.webhookMessages.push(message);
    this.store.save();
    // The app hears of a change only once it is on disk, as the API's caller does: a crash never
    // leaves the app holding an event for a change the emulator lost. (A failed write is retried,
    // and the change stays in memory: deliver it anyway.)
    const release = () => {
      if (!this.store.state.webhookMessages.includes(message)) return; // reset meanwhile
      if (this.faults.reorderWindowMs > 0) this.hold(message);
      else this.schedule(message, this.faults.delayMs);
    };
    this.store.durable().then(release, release);
  }

  // Resumes messages left pending by a previous run: retries survive restarts, as Svix's do.
  start(): void {
    for (const m of this.store.state.webhookMessages) {
      if (m.state === "pending") this.schedule(m, Math.max(0, (m.nextAttemptAt ?? 0) - this.now()));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    await Promise.allSettled([...this.inFlight]);
  }

  // Forget scheduled work (after a state reset the messages no longer exist).
  clearTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.held = [];
    this.waiting.clear();
  }

  pendingCount(): number {
    return this.store.state.webhookMessages.filter((m) => m.state === "pending").length;
  }

  private hold(message: WebhookMessage): void {
    this.held.push(message);
    if (this.held.length > 1) return;
    const timer = setTimeout(() => {
      this.timers.delete("reorder");
      const batch = this.held.reverse();
      this.held = [];
      for (const m of batch) this.schedule(m, this.faults.delayMs);
    }, this.faults.reorderWindowMs);
    this.timers.set("reorder", timer);
  }

  private schedule(message: WebhookMessage, delayMs: number): void {
    if (this.stopped) return;
    // Nothing is attempted before the release, so a held message has no failures to retry.
    if (this.onHold) {
      this.waiting.add(message);
      return;
    }
    message.nextAttemptAt = this.now() + delayMs;
    // Scheduled twice (a seed's message: when emitted and by start()), it is still sent once.
    clearTimeout(this.timers.get(message.id));
    const timer = setTimeout(() => {
      this.timers.delete(message.id);
      const run = this.attempt(message).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, delayMs);
    this.timers.set(message.id, timer);
  }

  private async attempt(message: WebhookMessage): Promise<void> {
    const url = this.config.webhookUrl;
    if (!url || message.state !== "pending") return;
    const started = this.now();
    let status: number | null = null;
    let error: string | null = null;
    let response: string | undefined;
    if (this.faults.failFirst && message.attempts.length === 0) {
      error = "injected fault: first attempt dropped";
    } else {
      ({ status, error, response } = await this.send(url, message));
    }
    message.attempts.push({
      at: started,
      status,
      error,
      durationMs: this.now() - started,
      ...(response && { response }),
    });
    const ok = status !== null && status >= 200 && status < 300;
    if (ok) {
      const deliveredOnce = message.attempts.filter((a) => a.status && a.status < 300).length === 1;
      if (this.faults.duplicate && deliveredOnce) {
        this.store.saveLazily();
        return this.attempt(message);
      }
      message.state = "succeeded";
      message.nextAttemptAt = null;
    } else {
      const failures = message.attempts.filter((a) => !(a.status && a.status < 300)).length;
      const delay = RETRY_DELAYS_MS[failures - 1];
      if (delay === undefined) {
        message.state = "failed";
        message.nextAttemptAt = null;
        this.log(`webhook ${message.eventType} ${message.id} failed after ${failures} attempts`);
      } else {
        this.schedule(message, Math.round(delay * this.config.webhookTimeScale));
      }
    }
    // Delivery bookkeeping: a crash before it is written means one more delivery (Svix's
    // at-least-once), never a lost one.
    this.store.saveLazily();
  }

  private async send(url: string, message: WebhookMessage) {
    const timestamp = new Date(this.now());
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Svix-Webhooks/1.99 (clerk-emulator)",
          "svix-id": message.id,
          "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "svix-signature": this.signer.sign(message.id, timestamp, message.payload),
        },
        body: message.payload,
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
      });
      const response = (await res.text()).slice(0, RESPONSE_KEPT_CHARS);
      return { status: res.status, error: res.ok ? null : `HTTP ${res.status}`, response };
    } catch (err) {
      const reason =
        err instanceof Error && err.name === "TimeoutError" ? "timed out" : String(err);
      return { status: null, error: reason };
    }
  }
}
