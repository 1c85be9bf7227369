import { type AppProcess, freePort, startApp } from "../../../tests/support/app-process";
import type { EmulatorProcess } from "../../../tests/support/emulator-process";
import { type Balancer, startBalancer } from "./balancer";

// Several instances of the production server (scripts/serve.ts, as `npm start` runs it) behind
// the round-robin balancer of ./balancer.ts, sharing the emulator, the database and whatever
// the environment gives them (REDIS_URL): the app as a platform runs it at scale.

export type Restart = {
  instance: number;
  // From SIGTERM to the process's exit: its requests in flight answered.
  stoppedMs: number;
  // From starting it again to the balancer sending it requests.
  backMs: number;
};

export type Instances = {
  url: string;
  balancer: Balancer;
  pids: () => number[];
  // Replaces each instance in turn, as a rolling deploy does: SIGTERM, wait for it to exit, start
  // it again on its port, wait until the balancer finds it healthy, then the next.
  restartOneByOne: (log: (line: string) => void) => Promise<Restart[]>;
  stop: () => Promise<void>;
};

const BACK_WITHIN_MS = 120_000;

export async function startInstances(options: {
  count: number;
  emulator: EmulatorProcess;
  databaseUrl: string;
  env: Record<string, string>;
}): Promise<Instances> {
  const ports = await Promise.all(Array.from({ length: options.count }, () => freePort()));
  // One hop in front of each instance: the balancer, which appends the client's address.
  const start = (port: number) =>
    startApp({
      emulator: options.emulator,
      databaseUrl: options.databaseUrl,
      port,
      env: { ...options.env, TRUSTED_PROXY_HOPS: "1" },
    });
  const running: (AppProcess | undefined)[] = [];
  try {
    running.push(...(await Promise.all(ports.map(start))));
  } catch (err) {
    await Promise.all(running.map((p) => p?.stop()));
    throw err;
  }
  const balancer = await startBalancer(running.map((p) => (p as AppProcess).url));

  const restartOneByOne = async (log: (line: string) => void) => {
    const restarts: Restart[] = [];
    for (const [i, port] of ports.entries()) {
      const stopping = Date.now();
      await running[i]?.stop();
      running[i] = undefined;
      const stoppedMs = Date.now() - stopping;
      const starting = Date.now();
      const started = await start(port);
      running[i] = started;
      while (!balancer.isHealthy(started.url)) {
        if (Date.now() - starting > BACK_WITHIN_MS)
          throw new Error(`instance ${i + 1} never came back`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const backMs = Date.now() - starting;
      log(`instance ${i + 1}: stopped in ${stoppedMs} ms, serving again after ${backMs} ms`);
      restarts.push({ instance: i + 1, stoppedMs, backMs });
    }
    return restarts;
  };

  return {
    url: balancer.url,
    balancer,
    pids: () => running.flatMap((p) => (p ? [p.pid] : [])),
    restartOneByOne,
    stop: async () => {
      await balancer.stop();
      await Promise.all(running.map((p) => p?.stop()));
    },
  };
}
