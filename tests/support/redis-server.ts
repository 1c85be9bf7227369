import { spawn } from "node:child_process";
import { freePort } from "./app-process";

export type RedisServer = {
  url: string;
  // The process itself, for tests that freeze it (SIGSTOP) to play a Redis that stops answering.
  pid: number;
  stop: () => Promise<void>;
};

// A redis-server of the test's own, on a free loopback port, keeping nothing on disk: a test that
// needs an empty Redis, or one it may freeze, gets one without touching a shared server. Resolves
// undefined when no redis-server is installed (the caller skips what needs it).
export async function startRedisServer(): Promise<RedisServer | undefined> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const ready = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("exit", () => resolve(false));
    child.stdout.on("data", (d) => {
      output += d;
      if (/Ready to accept connections/.test(output)) resolve(true);
    });
    setTimeout(() => resolve(false), 10_000).unref();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      // A frozen server must be thawed to stop.
      child.kill("SIGCONT");
      child.kill("SIGTERM");
    });
  };
  if (!ready) {
    await stop();
    return undefined;
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid as number, stop };
}
