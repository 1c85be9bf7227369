// Ports of their own, so the end-to-end suite runs beside a developer's `npm run dev`.
export const APP_PORT = Number(process.env.E2E_PORT ?? 3210);
export const EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 4210);
export const EMBEDDED_DB_PORT = Number(process.env.E2E_DB_PORT ?? 54620);
export const APP_URL = `http://localhost:${APP_PORT}`;
export const EMULATOR_URL = `http://127.0.0.1:${EMULATOR_PORT}`;
// The database the launcher gave the app: DATABASE_URL when set, else its embedded one.
export const APP_DATABASE_URL =
  process.env.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_DB_PORT}/postgres`;
// Where the web server's output goes (the launcher, the emulator, Next).
export const SERVER_LOG = "test-results/logs/e2e-server.log";
