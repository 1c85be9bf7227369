import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ClerkCallCounter = {
  url: string;
  // Requests whose "METHOD /path" matches, since the start or the last reset.
  count: (pattern: RegExp) => number;
  reset: () => void;
  close: () => Promise<void>;
};

// Stands between the app and Clerk (the emulator) and counts the Backend API calls the app makes:
// what Clerk bills and rate-limits. Everything is forwarded unchanged, answers included.
export async function startClerkCallCounter(target: string): Promise<ClerkCallCounter> {
  const upstream = new URL(target);
  let calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const forwarded = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: (pattern) => calls.filter((c) => pattern.test(c)).length,
    reset: () => {
      calls = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
