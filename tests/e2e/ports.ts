// Each Playwright worker tests an app stack of its own (app, emulator, database: see
// playwright.config.ts), on ports of its own, so the suite runs beside a developer's `npm run dev`
// and the workers never see each other's data or instance settings. Stack i takes the base ports
// plus i (the emulator two: its Backend and Frontend API).
export const E2E_STACKS = Math.max(1, Number(process.env.E2E_WORKERS ?? 2));
// The stacks' session tokens live half Clerk's minute (EMULATOR_TOKEN_TTL_SECONDS), so a test that
// waits for one to expire waits half as long; clerk-js refreshes them as it does Clerk's.
export const E2E_TOKEN_TTL_SECONDS = 30;

const BASE = {
  app: Number(process.env.E2E_PORT ?? 3210),
  emulator: Number(process.env.E2E_EMULATOR_PORT ?? 4210),
  embeddedDb: Number(process.env.E2E_DB_PORT ?? 54620),
};

export function e2eStack(i: number) {
  const appPort = BASE.app + i;
  const emulatorPort = BASE.emulator + 2 * i;
  const embeddedDbPort = BASE.embeddedDb + i;
  return {
    appPort,
    emulatorPort,
    embeddedDbPort,
    appUrl: `http://localhost:${appPort}`,
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
    // The app's database: with DATABASE_URL, a database of the stack's own on that server
    // (tests/e2e/app-server.ts creates and drops it), else the launcher's embedded one.
    databaseUrl: stackDatabaseUrl(i, embeddedDbPort),
    // Where the web server's output goes (the launcher, the emulator, Next).
    serverLog: `test-results/logs/e2e-server-${i}.log`,
  };
}

function stackDatabaseUrl(i: number, embeddedDbPort: number): string {
  const server = process.env.DATABASE_URL;
  if (!server) return `postgres://postgres:postgres@127.0.0.1:${embeddedDbPort}/postgres`;
  const url = new URL(server);
  url.pathname = `/${url.pathname.slice(1) || "postgres"}_e2e_${i}`;
  return url.toString();
}

// The stack of this worker (Playwright numbers its workers' slots 0..workers-1, and a restarted
// worker keeps its slot); stack 0 outside a worker.
const own = e2eStack(Number(process.env.TEST_PARALLEL_INDEX ?? 0));
export const APP_PORT = own.appPort;
export const EMULATOR_PORT = own.emulatorPort;
export const EMBEDDED_DB_PORT = own.embeddedDbPort;
export const APP_URL = own.appUrl;
export const EMULATOR_URL = own.emulatorUrl;
export const APP_DATABASE_URL = own.databaseUrl;
export const SERVER_LOG = own.serverLog;
