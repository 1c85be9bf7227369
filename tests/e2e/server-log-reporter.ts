import { existsSync, readFileSync } from "node:fs";
import type { FullResult, Reporter } from "@playwright/test/reporter";
import { SERVER_LOG } from "./ports";

const SHOWN_LINES = 200;

// The web server's output stays in its log file unless the run failed: then its last lines are
// printed after the results, where a failing test's cause (a 500's stack, an emulator error) shows.
export default class ServerLogReporter implements Reporter {
  onEnd(result: FullResult) {
    if (result.status === "passed" || !existsSync(SERVER_LOG)) return;
    const lines = readFileSync(SERVER_LOG, "utf8").trimEnd().split("\n");
    process.stdout.write(
      `\n== last ${Math.min(lines.length, SHOWN_LINES)} lines of the web server's output (${SERVER_LOG}):\n`,
    );
    process.stdout.write(`${lines.slice(-SHOWN_LINES).join("\n")}\n`);
  }
  // Playwright's own list reporter still prints the results.
  printsToStdio() {
    return false;
  }
}
