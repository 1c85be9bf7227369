import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type ScriptRun = { code: number | null; output: string };

// One of the project's scripts (`scripts/<name>.ts`) as an operator runs it: a process of its own
// with only the environment given (and PATH), its output (stdout and stderr, as they came) and its
// exit code.
export function runScript(
  name: string,
  args: string[],
  env: { NODE_ENV: NodeJS.ProcessEnv["NODE_ENV"]; [name: string]: string | undefined },
): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `scripts/${name}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}
