import { type Load, type LoadOutcome, mergeOutcomes, startLoad } from "./load";

// `npm run load -- --faults`: reads from many clients while each service the app depends on stops
// answering in turn (frozen: its process stopped, or its connections held), then comes back.
// Per phase: what the clients got (statuses, times) and how long after the thaw the last
// non-2xx answer came, for the README's Operations figures. A frozen service, not a dead one: the
// hard case, where nothing fails fast and every call must be bounded.

export type Fault = {
  name: string;
  freeze: () => void;
  thaw: () => void;
};

export type FaultPhase = {
  name: string;
  outcome: LoadOutcome;
  // Answers slower than 10 s (autocannon gives up on them: counted as timeouts too).
  over10s: number;
  // From the thaw to the last non-2xx answer to a request sent after it (0: none).
  recoveredMs: number;
};

// Runs `load` through a phase without a fault, then through each fault: frozen for `frozenMs`,
// then `afterMs` more after the thaw.
export async function runFaultPhases(options: {
  faults: Fault[];
  load: (onResponse: Load["onResponse"]) => Load[];
  frozenMs: number;
  afterMs: number;
  log: (line: string) => void;
}): Promise<FaultPhase[]> {
  const phases: FaultPhase[] = [];
  const none: Fault = { name: "no fault", freeze: () => {}, thaw: () => {} };
  for (const fault of [none, ...options.faults]) {
    options.log(
      `fault phase: ${fault.name} (${options.frozenMs / 1000} s frozen, ${options.afterMs / 1000} s after) ...`,
    );
    let thawedAt = Number.POSITIVE_INFINITY;
    let lastFailure = 0;
    let over10s = 0;
    const onResponse = (status: number, ms: number) => {
      const now = Date.now();
      if (ms > 10_000) over10s += 1;
      if ((status < 200 || status >= 300) && now - ms >= thawedAt) lastFailure = now;
    };
    const running = options.load(onResponse).map((l) => startLoad(l));
    await sleep(1_000);
    fault.freeze();
    try {
      await sleep(options.frozenMs);
    } finally {
      fault.thaw();
      thawedAt = Date.now();
    }
    await sleep(options.afterMs);
    const outcome = mergeOutcomes(await Promise.all(running.map((l) => l.stop())));
    const recoveredMs = lastFailure > 0 ? lastFailure - thawedAt : 0;
    phases.push({ name: fault.name, outcome, over10s, recoveredMs });
  }
  return phases;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
