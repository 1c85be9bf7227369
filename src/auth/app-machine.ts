import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { clerkClient } from "@clerk/nextjs/server";
import { serverEnv } from "@/env/server-env";
import { logger } from "@/observability/logger";

// This app as a Clerk machine (machine-to-machine authentication): its secret key is
// CLERK_MACHINE_SECRET_KEY, and a caller may use the machine routes only if Clerk gave it a scope
// to this machine. Clerk checks that itself for opaque tokens (the middleware verifies them with
// this secret key, and Clerk refuses a token that does not name its machine); JWT-format tokens
// are verified here, without Clerk, and name the machines they are for in their scopes, so the
// app must know its own machine id. Clerk tells it from the secret key: the subject of a token the
// app mints for itself, once per process (JWT-format, so Clerk stores nothing; never sent
// anywhere). Until Clerk has answered, machine routes answer 503.

const RETRY_INTERVAL_MS = 5_000;
const TIMEOUT_MS = 3_000;

export type AppMachine =
  | { status: "known"; id: string }
  // CLERK_MACHINE_SECRET_KEY is not set: no caller can be checked, so none is let in.
  | { status: "unconfigured" }
  // Clerk did not tell (unreachable, or it does not know the secret key).
  | { status: "unavailable" };

type Identity = { id: string | null; attemptedAt: number; asking: Promise<void> | null };

const holder = globalThis as typeof globalThis & { __appMachine?: Identity };

async function askClerk(identity: Identity, secret: string): Promise<void> {
  identity.attemptedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const client = await clerkClient();
    const token = await Promise.race([
      client.m2m.createToken({
        machineSecretKey: secret,
        tokenFormat: "jwt",
        secondsUntilExpiration: 60,
      }),
      timeout,
    ]);
    identity.id = token.subject;
    logger.info({ machine_id: token.subject }, "the app's Clerk machine is known");
  } catch (err) {
    const reason =
      isClerkAPIResponseError(err) && err.status === 401
        ? "Clerk does not know CLERK_MACHINE_SECRET_KEY (a machine's secret key, from the Dashboard's Machines page)"
        : (err as Error).message;
    logger.error({ reason }, "the app's Clerk machine is unknown: machine routes answer 503");
  } finally {
    clearTimeout(timer);
  }
}

export async function appMachine(): Promise<AppMachine> {
  const secret = serverEnv().CLERK_MACHINE_SECRET_KEY;
  if (!secret) return { status: "unconfigured" };
  holder.__appMachine ??= { id: null, attemptedAt: 0, asking: null };
  const identity = holder.__appMachine;
  if (identity.id === null) {
    if (!identity.asking && Date.now() - identity.attemptedAt >= RETRY_INTERVAL_MS) {
      identity.asking = askClerk(identity, secret).finally(() => {
        identity.asking = null;
      });
    }
    await identity.asking;
  }
  return identity.id === null ? { status: "unavailable" } : { status: "known", id: identity.id };
}
