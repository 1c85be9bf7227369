import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { registerApiKeyRoutes } from "./bapi/api-keys-routes";
import { registerInstanceRoutes } from "./bapi/instance-routes";
import { registerOrganizationRoutes } from "./bapi/organizations-routes";
import { registerSessionRoutes } from "./bapi/sessions-routes";
import { ctxOf } from "./bapi/shared";
import { registerUserRoutes } from "./bapi/users-routes";
import type { EmulatorConfig } from "./config";
import type { Core } from "./core";
import { loadOrCreateSigningKey } from "./crypto/signing-key";
import { registerEmulatorRoutes } from "./emulator-routes";
import { ClerkApiError, errors } from "./http/clerk-errors";
import { parseJsonObject, readRawBody } from "./http/request-body";
import { type RequestInfo, type RouteResult, Router, splitUrl } from "./http/router";
import { applySeed, readSeed } from "./seed";
import { randomBase62 } from "./store/ids";
import { Store } from "./store/store";
import { WebhookDispatcher } from "./webhooks/dispatcher";
import { parseFaults } from "./webhooks/faults";

export type Emulator = {
  core: Core;
  url: string;
  close: () => Promise<void>;
};

function bearerMatches(header: string | undefined, secret: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, result: RouteResult) {
  if ("json" in result) {
    // Exactly "application/json": @clerk/backend compares the header verbatim and reads anything
    // else (even with "; charset=utf-8") as text.
    res.writeHead(result.status, { "Content-Type": "application/json", ...result.headers });
    res.end(JSON.stringify(result.json));
  } else if ("html" in result) {
    res.writeHead(result.status, { "Content-Type": "text/html; charset=utf-8" });
    res.end(result.html);
  } else {
    res.writeHead(result.status);
    res.end();
  }
}

function errorResult(err: ClerkApiError): RouteResult {
  return {
    status: err.status,
    json: { errors: err.errors, clerk_trace_id: randomBase62(32) },
  };
}

export async function startEmulator(
  config: EmulatorConfig,
  log: (line: string) => void = console.log,
): Promise<Emulator> {
  const now = () => Date.now();
  const store = new Store(config.dataDir);
  const webhooks = new WebhookDispatcher(
    store,
    config,
    now,
    log,
    parseFaults(config.webhookFaults),
  );
  const core: Core = {
    config,
    store,
    signingKey: await loadOrCreateSigningKey(config.dataDir),
    webhooks,
    now,
  };

  const router = new Router();
  registerInstanceRoutes(router, core);
  registerUserRoutes(router, core);
  registerOrganizationRoutes(router, core);
  registerSessionRoutes(router, core);
  registerApiKeyRoutes(router, core);
  registerEmulatorRoutes(router, core);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? "GET").toUpperCase();
    const { path, query } = splitUrl(req.url ?? "/");
    try {
      const matched = router.match(method, path);
      if (!matched.route) throw errors.notFound("endpoint");
      if (
        matched.route.auth === "secret" &&
        !bearerMatches(req.headers.authorization, config.secretKey)
      ) {
        throw errors.unauthenticated();
      }
      const raw = method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readRawBody(req);
      const info: RequestInfo = {
        method,
        path,
        query,
        headers: req.headers,
        body: parseJsonObject(raw, req.headers["content-type"]),
        ip: req.socket.remoteAddress ?? "127.0.0.1",
      };
      send(res, await matched.route.handler(info, matched.params));
    } catch (err) {
      if (err instanceof ClerkApiError) {
        send(res, errorResult(err));
      } else {
        log(`emulator: ${method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
        send(res, {
          status: 500,
          json: {
            errors: [
              {
                code: "internal_clerk_error",
                message: "internal error",
                long_message: "The emulator failed to handle this request; see its log.",
              },
            ],
          },
        });
      }
    }
  }

  if (store.isEmpty() && config.seedFile) {
    const seed = readSeed(config.seedFile);
    await applySeed(
      ctxOf(core, {
        headers: { "user-agent": "clerk-emulator seed" },
        ip: "127.0.0.1",
      } as RequestInfo),
      seed,
    );
  }
  webhooks.start();

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  config.port = port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  return {
    core,
    url: `http://${host}:${port}`,
    close: async () => {
      await webhooks.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
