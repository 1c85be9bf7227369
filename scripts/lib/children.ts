import { type ChildProcess, spawn } from "node:child_process";

export type Child = {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  // Its last lines of output, for an error message.
  output: () => string;
};

const KEPT_LINES = 40;

// Runs a child with its output prefixed by its name, so interleaved logs stay readable; with
// `echo: false` the output is only kept (the last lines), for a child whose chatter would drown
// a report.
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { echo?: boolean } = {},
): Child {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const kept: string[] = [];
  const prefix = (chunk: Buffer, out: NodeJS.WriteStream) => {
    for (const line of chunk.toString().split(/\r?\n/)) {
      if (!line.trim()) continue;
      kept.push(line);
      if (kept.length > KEPT_LINES) kept.shift();
      if (options.echo !== false) out.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout?.on("data", (c: Buffer) => prefix(c, process.stdout));
  child.stderr?.on("data", (c: Buffer) => prefix(c, process.stderr));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { name, process: child, exited, output: () => kept.join("\n") };
}

export async function stopChild(child: Child, graceMs = 5_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

// Waits until `url` answers 2xx, or with `anyStatus` any HTTP status (a route that refuses GET
// still proves it is up); each attempt may take `attemptTimeoutMs` (a dev route compiles first).
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  child?: Child,
  options: { anyStatus?: boolean; attemptTimeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child?.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child?.name} exited before ${url} answered`);
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 2_000),
      });
      await res.arrayBuffer();
      if (res.ok || options.anyStatus) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s`);
}
