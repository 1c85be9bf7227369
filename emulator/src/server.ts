import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBillingPlans } from "../../clerk/billing-plans-file";
import { readInstanceSettings } from "../../clerk/instance-settings";
import { readOrganizationRoles } from "../../clerk/organization-roles";
import { registerActorTokenRoutes } from "./bapi/actor-tokens-routes";
import { registerApiKeyRoutes } from "./bapi/api-keys-routes";
import { registerBillingRoutes } from "./bapi/billing-routes";
import { registerEmailAddressRoutes } from "./bapi/email-addresses-routes";
import { registerExternalAccountRoutes } from "./bapi/external-accounts-routes";
import { registerInstanceRoutes } from "./bapi/instance-routes";
import { registerInvitationRoutes } from "./bapi/invitations-routes";
import { registerMachineRoutes } from "./bapi/machines-routes";
import { registerUserMfaRoutes } from "./bapi/mfa-routes";
import { registerOAuthApplicationRoutes } from "./bapi/oauth-applications-routes";
import { registerOrganizationDomainRoutes } from "./bapi/organization-domains-routes";
import { registerOrganizationRoutes } from "./bapi/organizations-routes";
import { registerPhoneNumberRoutes } from "./bapi/phone-numbers-routes";
import { registerRoleRoutes } from "./bapi/roles-routes";
import { registerSessionRoutes } from "./bapi/sessions-routes";
import { ctxOf } from "./bapi/shared";
import { registerSignInTokenRoutes } from "./bapi/sign-in-tokens-routes";
import { registerUserRoutes } from "./bapi/users-routes";
import type { EmulatorConfig, Latency } from "./config";
import type { Core } from "./core";
import { loadOrCreateSigningKey } from "./crypto/signing-key";
import { seedBillingPlans } from "./domain/billing";
import { seedOrganizationRoles } from "./domain/roles";
import { registerEmulatorRoutes } from "./emulator-routes";
import { registerAccountRoutes } from "./fapi/account-routes";
import { registerFapiBillingRoutes } from "./fapi/billing-routes";
import { bundleFor } from "./fapi/bundles";
import { registerClientRoutes } from "./fapi/client-routes";
import { registerFapiDomainRoutes } from "./fapi/domain-routes";
import { registerHandshakeRoutes } from "./fapi/handshake";
import { registerMeRoutes } from "./fapi/me-routes";
import { registerMfaRoutes } from "./fapi/mfa-routes";
import { registerOAuthRoutes } from "./fapi/oauth-routes";
import { registerOAuthServerRoutes } from "./fapi/oauth-server-routes";
import { registerFapiOrganizationRoutes } from "./fapi/organization-routes";
import { registerPasskeyRoutes } from "./fapi/passkey-routes";
import { registerMyPhoneNumberRoutes } from "./fapi/phone-number-routes";
import { registerReverificationRoutes } from "./fapi/reverification-routes";
import { registerSignRoutes } from "./fapi/sign-routes";
import { BackendApiStats } from "./http/backend-api-stats";
import { bearerMatches } from "./http/bearer";
import { ClerkApiError, errors } from "./http/clerk-errors";
import { clientAddress } from "./http/client-address";
import { parseBody, readRawBody } from "./http/request-body";
import {
  type ApiOrigin,
  type RequestInfo,
  type RouteResult,
  Router,
  splitUrl,
} from "./http/router";
import { applySeed, readSeed } from "./seed";
import { randomBase62 } from "./store/ids";
import { Store } from "./store/store";
import { WebhookDispatcher } from "./webhooks/dispatcher";
import { parseFaults } from "./webhooks/faults";

export type Emulator = {
  core: Core;
  // The Backend API's origin (and the emulator's own pages); the Frontend API's.
  url: string;
  frontendUrl: string;
  close: () => Promise<void>;
};

const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, result: RouteResult) {
  if ("json" in result) {
    // Exactly "application/json": @clerk/backend compares the header verbatim and reads anything
    // else (even with "; charset=utf-8") as text.
    res.writeHead(result.status, { "Content-Type": "application/json", ...result.headers });
    res.end(JSON.stringify(result.json));
  } else if ("html" in result) {
    res.writeHead(result.status, {
      "Content-Type": "text/html; charset=utf-8",
      // The emulator's pages run no script and load nothing; their styles are inline.
      "Content-Security-Policy": PAGE_POLICY,
    });
    res.end(result.html);
  } else if ("location" in result) {
    res.writeHead(result.status, { Location: result.location, "Cache-Control": "no-store" });
    res.end();
  } else if ("file" in result) {
    res.writeHead(result.status, {
      "Content-Type": result.contentType,
      "Cache-Control": "public, max-age=3600",
      // The SDK loads its bundles with crossorigin="anonymous".
      "Access-Control-Allow-Origin": "*",
    });
    createReadStream(result.file).pipe(res);
  } else if ("bytes" in result) {
    res.writeHead(result.status, {
      "Content-Type": result.contentType,
      // An upload never changes under its id.
      "Cache-Control": "private, max-age=86400",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(result.bytes);
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

function internalError(longMessage: string): RouteResult {
  return {
    status: 500,
    json: {
      errors: [
        { code: "internal_clerk_error", message: "internal error", long_message: longMessage },
      ],
    },
  };
}

export async function startEmulator(
  config: EmulatorConfig,
  log: (line: string) => void = console.log,
): Promise<Emulator> {
  const now = () => Date.now();
  // Read before anything else: a bad roles or settings file stops the emulator, whatever state it
  // has.
  const organizationRoles = readOrganizationRoles(config.organizationRolesFile);
  const billingPlans = readBillingPlans(config.billingPlansFile);
  const instanceSettings = readInstanceSettings(config.instanceSettingsFile);
  const store = new Store(config.dataDir, log);
  const stats = new BackendApiStats(now());
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
    organizationRoles,
    billingPlans,
    instanceSettings,
    now,
    log,
  };
  seedOrganizationRoles(core, organizationRoles);
  seedBillingPlans(core, billingPlans);

  const router = new Router();
  registerInstanceRoutes(router, core);
  registerUserRoutes(router, core);
  registerUserMfaRoutes(router, core);
  registerEmailAddressRoutes(router, core);
  registerPhoneNumberRoutes(router, core);
  registerExternalAccountRoutes(router, core);
  registerOrganizationRoutes(router, core);
  registerRoleRoutes(router, core);
  registerInvitationRoutes(router, core);
  registerOrganizationDomainRoutes(router, core);
  registerSessionRoutes(router, core);
  registerSignInTokenRoutes(router, core);
  registerActorTokenRoutes(router, core);
  registerApiKeyRoutes(router, core);
  registerMachineRoutes(router, core);
  registerOAuthApplicationRoutes(router, core);
  registerBillingRoutes(router, core);
  registerEmulatorRoutes(router, core, stats);
  registerClientRoutes(router, core);
  registerHandshakeRoutes(router, core);
  registerSignRoutes(router, core);
  registerMeRoutes(router, core);
  registerAccountRoutes(router, core);
  registerMyPhoneNumberRoutes(router, core);
  registerMfaRoutes(router, core);
  registerPasskeyRoutes(router, core);
  registerReverificationRoutes(router, core);
  registerFapiOrganizationRoutes(router, core);
  registerFapiDomainRoutes(router, core);
  registerFapiBillingRoutes(router, core);
  registerOAuthRoutes(router, core);
  registerOAuthServerRoutes(router, core);

  async function handle(origin: ApiOrigin, req: IncomingMessage, res: ServerResponse) {
    const result = await answer(origin, req);
    // What the answer reports is on disk before it goes out (and a change made by a request that
    // then failed, such as a counted code attempt, too).
    try {
      await store.durable();
    } catch (err) {
      log(`emulator: ${req.method} ${req.url} answered 500: ${(err as Error).message}`);
      return send(res, internalError("The emulator could not save its state; see its log."));
    }
    send(res, result);
  }

  async function answer(origin: ApiOrigin, req: IncomingMessage): Promise<RouteResult> {
    const { path, query } = splitUrl(req.url ?? "/");
    const wireMethod = (req.method ?? "GET").toUpperCase();
    // clerk-js sends PATCH/PUT/DELETE as POST with ?_method=.
    const override =
      origin === "frontend" && wireMethod === "POST"
        ? query.get("_method")?.toUpperCase()
        : undefined;
    const method = override ?? wireMethod;
    try {
      if (origin === "frontend") {
        const bundle = bundleFor(path);
        if (bundle) return bundle;
      }
      const emulatorOwn = path === "/__emulator" || path.startsWith("/__emulator/");
      if (!emulatorOwn) await delay(config.latency);
      const matched = router.match(origin, method, path);
      if (origin === "backend" && !emulatorOwn) {
        stats.count(method, matched.route?.pattern ?? "(no such endpoint)");
      }
      if (!matched.route) throw errors.notFound("endpoint");
      if (matched.route.auth === "secret" && !bearerMatches(req.headers, config.secretKey)) {
        throw errors.unauthenticated();
      }
      const raw =
        wireMethod === "GET" || wireMethod === "HEAD" ? Buffer.alloc(0) : await readRawBody(req);
      const info: RequestInfo = {
        origin,
        method,
        path,
        query,
        headers: req.headers,
        body: await parseBody(raw, req.headers["content-type"], origin === "frontend"),
        ip: clientAddress(req.headers, req.socket.remoteAddress, config.secretKey),
      };
      return await matched.route.handler(info, matched.params);
    } catch (err) {
      if (err instanceof ClerkApiError) return errorResult(err);
      log(`emulator: ${method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
      return internalError("The emulator failed to handle this request; see its log.");
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
  // The roles and the seed are in the file before anyone can be told about them.
  await store.durable();
  webhooks.start();

  const backend = await listen(config.host, config.port, (req, res) => handle("backend", req, res));
  const frontend = await listen(config.host, config.frontendPort, (req, res) =>
    handle("frontend", req, res),
  );
  config.port = backend.port;
  config.frontendPort = frontend.port;

  return {
    core,
    url: backend.url,
    frontendUrl: frontend.url,
    close: async () => {
      await webhooks.stop();
      await Promise.all([backend.close(), frontend.close()]);
      await store.close();
    },
  };
}

type Listening = { port: number; url: string; close: () => Promise<void> };

async function listen(
  host: string,
  port: number,
  onRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<Listening> {
  const server = createServer((req, res) => {
    void onRequest(req, res);
  });
  // Node closes an idle keep-alive connection after 5 s. A client whose event loop was busy for
  // longer (a test runner compiling Clerk's OpenAPI schemas, the app under load) may send its next
  // request on that connection just as it closes ("other side closed"); keep idle connections
  // open for a minute instead, as most servers do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    port: bound,
    url: `http://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// EMULATOR_LATENCY_MS: the time a far-away Clerk would take to answer.
function delay({ minMs, maxMs }: Latency): Promise<void> | undefined {
  if (maxMs === 0) return undefined;
  const ms = minMs + Math.random() * (maxMs - minMs);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
