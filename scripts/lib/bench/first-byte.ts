import { Agent, request } from "node:http";
import { percentile } from "./stats";

// Time to first byte of `url`, one request at a time on a kept-alive connection (as a browser
// reuses its connection): from sending the request to the response's status line and headers.
export async function timeToFirstByte(
  url: string,
  headers: Record<string, string>,
  samples: number,
): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) times.push(await firstByte(url, headers, agent));
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

function firstByte(url: string, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers, agent }, (res) => {
      const elapsed = performance.now() - started;
      res.resume();
      res.once("end", () => {
        if (res.statusCode === 200) resolve(elapsed);
        else
          reject(
            new Error(`GET ${url} answered ${res.statusCode} ${res.headers.location ?? ""}`.trim()),
          );
      });
    });
    req.once("error", reject);
    req.end();
  });
}
