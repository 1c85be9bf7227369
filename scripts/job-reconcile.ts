// `npm run job:reconcile`: the scheduled job that keeps the database converged with Clerk, as a
// machine of this deployment. It mints an M2M token with its own machine secret key
// (JOB_MACHINE_SECRET_KEY) and calls the app's machine route, POST ${APP_URL}/api/internal/reconcile,
// which runs what `npm run clerk:sync` runs. Clerk decides whether it may: the job's machine needs
// a scope to the app's machine (CLERK_MACHINE_SECRET_KEY on the app's side).
import { parseArgs } from "node:util";
import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import nextEnv from "@next/env";
import { DEV_JOB_MACHINE_SECRET, emulatorUrlsAt } from "./lib/clerk-wiring";

const USAGE = `Usage: npm run job:reconcile [-- --jwt]

Mints an M2M token with the job's machine secret key and calls the app's
POST <APP_URL>/api/internal/reconcile, which converges the database with Clerk
(what npm run clerk:sync does) and answers what it found.

Environment (or .env.local):
  JOB_MACHINE_SECRET_KEY  the job's Clerk machine secret key (ak_...; Dashboard > Machines).
                          Its machine needs a scope to the app's machine.
                          Emulator mode (no CLERK_SECRET_KEY): the dev seed's "Reconcile job".
  APP_URL                 the app's origin (default http://localhost:\${PORT:-3000}).
  CLERK_API_URL           the Clerk Backend API that mints the token (default: Clerk's).
                          Without JOB_MACHINE_SECRET_KEY and CLERK_SECRET_KEY: the emulator
                          of a running npm run dev (EMULATOR_PORT, default 4010).

Options:
  --jwt    mint a JWT-format token, which the app verifies without asking Clerk
           (default: an opaque token, which Clerk verifies and can revoke)
  --help   this text

Exit status: 0 reconciled (or another run was under way), 1 the app refused or failed,
2 a precondition failed (no secret key, Clerk or the app unreachable).`;

const TOKEN_LIFETIME_SECONDS = 60;
// The route stops itself after 60 s; this waits a little longer for its answer.
const CALL_TIMEOUT_MS = 90_000;

class Precondition extends Error {}

type Counts = { listed: number; tombstoned: number };
type Report = {
  users: Counts;
  organizations: Counts;
  memberships: Counts;
  subscriptions: { listed: number; ended: number };
  duration_ms: number;
};

// Which Clerk mints the token, with which secret: CLERK_API_URL if set, else Clerk itself when a
// secret key is given; without one, the dev seed's job machine on the emulator of `npm run dev`.
function jobMachine(env: NodeJS.ProcessEnv): { secret: string; apiUrl?: string; label: string } {
  const secret = env.JOB_MACHINE_SECRET_KEY;
  if (secret) {
    return { secret, apiUrl: env.CLERK_API_URL, label: env.CLERK_API_URL ?? "Clerk" };
  }
  if (env.CLERK_SECRET_KEY) {
    throw new Precondition(
      "JOB_MACHINE_SECRET_KEY is not set: give it the job's machine secret key (Clerk Dashboard > Machines).",
    );
  }
  const emulator = emulatorUrlsAt(Number(env.EMULATOR_PORT ?? 4010)).url;
  return { secret: DEV_JOB_MACHINE_SECRET, apiUrl: emulator, label: `the emulator at ${emulator}` };
}

async function mintToken(env: NodeJS.ProcessEnv, format: "opaque" | "jwt"): Promise<string> {
  const target = jobMachine(env);
  const secret = target.secret;
  const clerk = createClerkClient({ apiUrl: target.apiUrl });
  try {
    const token = await clerk.m2m.createToken({
      machineSecretKey: secret,
      tokenFormat: format,
      secondsUntilExpiration: TOKEN_LIFETIME_SECONDS,
    });
    if (!token.token) throw new Error("Clerk answered a token without its value");
    console.log(`job:reconcile as machine ${token.subject} (${format} token from ${target.label})`);
    return token.token;
  } catch (err) {
    if (!isClerkAPIResponseError(err)) throw err;
    const reason = err.errors[0]?.longMessage ?? err.errors[0]?.message ?? err.message;
    // No status: the request never got an answer (the SDK reports it as an error of its own).
    if (err.status === undefined) {
      throw new Precondition(`cannot reach ${target.label}: ${reason}`);
    }
    if (err.status === 401) {
      throw new Precondition(
        `${target.label} does not know ${env.JOB_MACHINE_SECRET_KEY ? "JOB_MACHINE_SECRET_KEY" : "the dev seed's job machine (an emulator state from before it: delete .data/emulator)"} as a machine secret key.`,
      );
    }
    throw new Error(`${target.label} refused to mint a token (${err.status}): ${reason}`);
  }
}

function summary(report: Report): string {
  const line = (label: string, c: Counts) =>
    `  ${label}: ${c.listed} in Clerk, ${c.tombstoned} tombstoned`;
  return [
    line("users", report.users),
    line("organizations", report.organizations),
    line("memberships", report.memberships),
    `  subscriptions: ${report.subscriptions.listed} in Clerk, ${report.subscriptions.ended} item(s) ended`,
    `  in ${report.duration_ms} ms`,
  ].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      jwt: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  nextEnv.loadEnvConfig(process.cwd());
  const env = process.env;
  const appUrl = (env.APP_URL ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/$/, "");
  const endpoint = `${appUrl}/api/internal/reconcile`;

  const token = await mintToken(env, values.jwt ? "jwt" : "opaque");
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Precondition(
      `the app does not answer at ${appUrl} (${cause}): is it running (npm run dev), and is APP_URL its origin?`,
    );
  }
  const text = await res.text();
  const body = (() => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  })();
  if (res.ok && body) {
    console.log(`job:reconcile done:\n${summary(body as Report)}`);
    return 0;
  }
  const detail = typeof body?.detail === "string" ? body.detail : text.slice(0, 200);
  if (res.status === 409) {
    console.log(`job:reconcile skipped: ${detail}`);
    return 0;
  }
  const hint =
    res.status === 401 || res.status === 403
      ? "\n  The job's machine needs a scope to the app's machine (Clerk Dashboard > Machines), and the app needs CLERK_MACHINE_SECRET_KEY."
      : "";
  console.error(`job:reconcile failed: ${endpoint} answered ${res.status}: ${detail}${hint}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof Precondition) {
      console.error(`job:reconcile cannot run: ${err.message}`);
      process.exit(2);
    }
    console.error("job:reconcile failed:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
