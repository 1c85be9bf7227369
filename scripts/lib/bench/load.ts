import autocannon from "autocannon";

export type Load = {
  url: string;
  connections: number;
  // For this long, or until `amount` requests are answered (then none is left in flight).
  seconds?: number;
  amount?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  // One body per request, in turn (e.g. each of many API keys), instead of `body`; with
  // `headerSets`, the headers sent with each body (e.g. its signature).
  bodies?: string[];
  headerSets?: Record<string, string>[];
  // One path per request, in turn, on `url`'s origin.
  paths?: string[];
  // Each answer as it comes: its status and how long it took (ms).
  onResponse?: (status: number, ms: number) => void;
};

// `requests`: answered in time; `sent` also counts those still in flight when time ran out (the
// server finishes them anyway).
export type LoadResult = {
  requests: number;
  sent: number;
  perSecond: number;
  p50: number;
  p99: number;
};

export class LoadError extends Error {}

// What a run answered, errors included: statuses by code, connection errors and timeouts, the
// slowest answer.
export type LoadOutcome = LoadResult & {
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  max: number;
};

// `connections` clients, each sending its next request as soon as the last is answered
// (autocannon), with a 10 s timeout per request.
export async function runLoadCounted(load: Load): Promise<LoadOutcome> {
  return startLoad(load).outcome;
}

// As runLoadCounted, for as long as the caller lets it run: `stop` ends it (the requests in
// flight are answered and counted) and resolves with what it counted.
export function startLoad(load: Load): {
  outcome: Promise<LoadOutcome>;
  stop: () => Promise<LoadOutcome>;
} {
  const { bodies, headerSets, paths } = load;
  let nextBody = 0;
  let nextPath = 0;
  const options: autocannon.Options = {
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.seconds }),
    method: load.method ?? "GET",
    headers: load.headers,
    body: load.body,
    timeout: 10,
    requests:
      bodies || paths
        ? [
            {
              setupRequest: (req) => {
                const i = bodies ? nextBody++ % bodies.length : 0;
                return {
                  ...req,
                  ...(bodies && { body: bodies[i] }),
                  ...(headerSets && { headers: { ...req.headers, ...headerSets[i] } }),
                  ...(paths && { path: paths[nextPath++ % paths.length] }),
                };
              },
            },
          ]
        : undefined,
  };
  let instance: autocannon.Instance | undefined;
  // The rate is over the time from the start to the last answer: autocannon checks whether a run
  // of `amount` requests is over once a second, and its own duration counts the wait for that
  // check (2,000 webhooks answered in 4.2 s were reported as 5 s: 17 % too slow).
  const started = performance.now();
  let lastAnswer = started;
  const outcome = new Promise<LoadOutcome>((resolve, reject) => {
    instance = autocannon(options, (err, result) =>
      err ? reject(err) : resolve(outcomeOf(result, (lastAnswer - started) / 1000)),
    );
    const onResponse = load.onResponse;
    instance.on("response", (_client, status, _bytes, ms) => {
      lastAnswer = performance.now();
      onResponse?.(status, ms);
    });
  });
  return {
    outcome,
    stop: () => {
      instance?.stop();
      return outcome;
    },
  };
}

function outcomeOf(result: autocannon.Result, answeringSeconds: number): LoadOutcome {
  return {
    requests: result.requests.total,
    sent: result.requests.sent,
    perSecond: result.requests.total / (answeringSeconds > 0 ? answeringSeconds : result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stat]) => [
        status,
        stat?.count ?? 0,
      ]),
    ),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

// Loads run side by side, as one: statuses and counts summed.
export function mergeOutcomes(outcomes: LoadOutcome[]): LoadOutcome {
  const statuses: Record<string, number> = {};
  for (const o of outcomes)
    for (const [status, count] of Object.entries(o.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  const sum = (pick: (o: LoadOutcome) => number) => outcomes.reduce((t, o) => t + pick(o), 0);
  return {
    requests: sum((o) => o.requests),
    sent: sum((o) => o.sent),
    perSecond: sum((o) => o.perSecond),
    // The slower half's percentiles: a conservative figure for the mix.
    p50: Math.max(...outcomes.map((o) => o.p50)),
    p99: Math.max(...outcomes.map((o) => o.p99)),
    max: Math.max(...outcomes.map((o) => o.max)),
    statuses,
    non2xx: sum((o) => o.non2xx),
    errors: sum((o) => o.errors),
    timeouts: sum((o) => o.timeouts),
  };
}

// As `runLoadCounted`, but anything other than 2xx fails the measurement: a rate of errors is
// no rate.
export async function runLoad(load: Load): Promise<LoadResult> {
  const outcome = await runLoadCounted(load);
  if (outcome.non2xx > 0 || outcome.errors > 0) {
    const statuses = Object.entries(outcome.statuses)
      .map(([status, count]) => `${count}x ${status}`)
      .join(", ");
    throw new LoadError(
      `${load.method ?? "GET"} ${load.url}: ${outcome.non2xx} answers that were not 2xx and ` +
        `${outcome.errors} connection errors, of ${outcome.requests} (${statuses})`,
    );
  }
  const { requests, sent, perSecond, p50, p99 } = outcome;
  return { requests, sent, perSecond, p50, p99 };
}
