import postgres from "postgres";
import type { ClerkTarget } from "./clerk-target";

// Checks an operational command makes before it starts, so a missing service is reported as what
// to do, not as the driver's "fetch failed" or a failed query.

export class PreflightError extends Error {}

// Without CLERK_SECRET_KEY a command talks to the emulator of a running `npm run dev`.
export async function requireClerk(target: ClerkTarget, env: NodeJS.ProcessEnv): Promise<void> {
  if (env.CLERK_SECRET_KEY || !target.apiUrl) return;
  const up = await fetch(`${target.apiUrl}/__emulator/health`, {
    signal: AbortSignal.timeout(3_000),
  }).then(
    (res) => res.ok,
    () => false,
  );
  if (!up) {
    throw new PreflightError(
      [
        `no Clerk emulator answers at ${target.apiUrl}.`,
        "  Is `npm run dev` running? Start it in another terminal (with EMULATOR_PORT if it uses",
        "  another port), or set CLERK_SECRET_KEY (in .env.local) to use a real Clerk instance.",
      ].join("\n"),
    );
  }
}

// Without DATABASE_URL a command uses the embedded database a running `npm run dev` serves.
export async function requireDatabase(url: string, env: NodeJS.ProcessEnv): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new PreflightError(
      env.DATABASE_URL
        ? `the database of DATABASE_URL does not answer (${reason}). Check that it is running and the URL is right.`
        : [
            `no database answers at ${new URL(url).host} (${reason}).`,
            "  Without DATABASE_URL this command uses the embedded database of `npm run dev`: is it",
            "  running? Start it in another terminal (with EMBEDDED_DB_PORT if it uses another",
            "  port), or set DATABASE_URL to your Postgres.",
          ].join("\n"),
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}
