import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

// A small round-robin load balancer in front of several app instances, as a platform's would
// stand there: it checks each instance's /api/health every HEALTH_EVERY_MS and sends requests only
// to those that answer, appends the client's address to X-Forwarded-For (the instances trust one
// hop: TRUSTED_PROXY_HOPS=1), and keeps connections to them alive. A request an instance never
// took (its connection refused, or a kept-alive connection it had just closed) is sent to the next
// one; that is what lets an instance leave (scripts/serve.ts on SIGTERM) without failing anyone.
// As platforms' balancers do, an instance that refuses connections is out at once, one whose
// health check only times out (a busy machine) is out after UNHEALTHY_AFTER of them in a row, and
// while no instance is healthy every one is tried rather than none ("fail open").

const HEALTH_EVERY_MS = 250;
const HEALTH_TIMEOUT_MS = 2_000;
const UNHEALTHY_AFTER = 3;
// Bodies this large are not the app's (its limits are 16 KiB for the API, 1 MiB elsewhere).
const MAX_BODY_BYTES = 2 * 1024 * 1024;

type Backend = {
  url: URL;
  healthy: boolean;
  agent: Agent;
  // Health checks failed in a row, and whether one is under way (they never overlap).
  failures: number;
  checking: boolean;
};

export type BalancerStats = {
  // Requests answered by an instance, and those sent again to another after one did not take them.
  proxied: number;
  retried: number;
  // Requests no instance took (502) or whose answer broke off.
  failed: number;
};

export type Balancer = {
  url: string;
  stats: BalancerStats;
  // Whether the instance at `url` answered its last health check.
  isHealthy: (url: string) => boolean;
  stop: () => Promise<void>;
};

// The request never reached the instance's handler: it may go to another one.
function notTaken(err: NodeJS.ErrnoException, reusedSocket: boolean): boolean {
  if (err.code === "ECONNREFUSED") return true;
  return reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE");
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(null);
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// The instances listen on loopback's IPv4 address.
function instanceUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.hostname === "localhost") parsed.hostname = "127.0.0.1";
  return parsed;
}

export async function startBalancer(instances: string[]): Promise<Balancer> {
  const backends: Backend[] = instances.map((u) => ({
    url: instanceUrl(u),
    healthy: false,
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
    failures: 0,
    checking: false,
  }));
  const stats: BalancerStats = { proxied: 0, retried: 0, failed: 0 };
  let next = 0;

  const check = (b: Backend) =>
    new Promise<void>((resolve) => {
      if (b.checking) return resolve();
      b.checking = true;
      const done = (healthy: boolean, leftAtOnce = false) => {
        b.checking = false;
        b.failures = healthy ? 0 : b.failures + 1;
        if (healthy || leftAtOnce || b.failures >= UNHEALTHY_AFTER) b.healthy = healthy;
        resolve();
      };
      const probe = request(
        new URL("/api/health", b.url),
        { agent: false, timeout: HEALTH_TIMEOUT_MS },
        (res) => {
          res.resume();
          // An instance that answers, but not 200 (draining, its database down), is out at once.
          done(res.statusCode === 200, true);
        },
      );
      probe.on("timeout", () => probe.destroy(new Error("timeout")));
      probe.on("error", (err: NodeJS.ErrnoException) => done(false, err.code === "ECONNREFUSED"));
      probe.end();
    });
  await Promise.all(backends.map(check));
  const timer = setInterval(() => backends.forEach(check), HEALTH_EVERY_MS);

  const pick = (tried: Set<Backend>): Backend | undefined => {
    const failOpen = !backends.some((b) => b.healthy);
    for (let i = 0; i < backends.length; i++) {
      const b = backends[next++ % backends.length] as Backend;
      if ((b.healthy || failOpen) && !tried.has(b)) return b;
    }
    return undefined;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    headers: IncomingHttpHeaders,
    tried: Set<Backend>,
  ) => {
    const backend = pick(tried);
    if (!backend) {
      stats.failed++;
      res.writeHead(502, { "content-type": "text/plain" }).end("no instance is available\n");
      return;
    }
    tried.add(backend);
    const upstream = request(
      new URL(req.url ?? "/", backend.url),
      { method: req.method, headers, agent: backend.agent },
      (answer) => {
        stats.proxied++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("error", () => {
          stats.failed++;
          res.destroy();
        });
      },
    );
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      if (notTaken(err, upstream.reusedSocket)) {
        if (err.code === "ECONNREFUSED") backend.healthy = false;
        stats.retried++;
        forward(req, res, body, headers, tried);
        return;
      }
      stats.failed++;
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`instance failed: ${err.code ?? err.message}\n`);
    });
    upstream.end(body);
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413).end();
      return;
    }
    const peer = req.socket.remoteAddress ?? "";
    const forwardedFor = req.headers["x-forwarded-for"];
    const headers = {
      ...req.headers,
      "x-forwarded-for": forwardedFor ? `${forwardedFor}, ${peer}` : peer,
    };
    // A request that no instance takes is tried on each healthy one at most once.
    forward(req, res, body, headers, new Set());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    isHealthy: (url) => backends.some((b) => b.healthy && b.url.origin === instanceUrl(url).origin),
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const b of backends) b.agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
