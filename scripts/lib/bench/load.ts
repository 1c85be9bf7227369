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
  // One body per request, in turn (e.g. each of many API keys), instead of `body`.
  bodies?: string[];
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

// `connections` clients, each sending its next request as soon as the last is answered
// (autocannon). Anything but 2xx fails the measurement: a rate of errors is no rate.
export async function runLoad(load: Load): Promise<LoadResult> {
  const { bodies } = load;
  let next = 0;
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.seconds }),
    method: load.method ?? "GET",
    headers: load.headers,
    body: load.body,
    requests: bodies
      ? [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }]
      : undefined,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .map(([status, { count }]) => `${count}x ${status}`)
      .join(", ");
    throw new LoadError(
      `${load.method ?? "GET"} ${load.url}: ${result.non2xx} answers that were not 2xx and ` +
        `${result.errors} connection errors, of ${result.requests.total} (${statuses})`,
    );
  }
  return {
    requests: result.requests.total,
    sent: result.requests.sent,
    perSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}
