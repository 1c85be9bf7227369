import { existsSync, readFileSync } from "node:fs";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { E2E_STACKS, e2eStack } from "./ports";

const SHOWN_LINES = 200;

// The web servers' output stays in their log files unless the run failed: then the last lines of
// each failing test's stack (its worker's, see ./ports.ts) are printed after the results, where a
// failing test's cause (a 500's stack, an emulator error) shows. A run that failed before any test
// (a stack that did not start) prints every stack's.
export default class ServerLogReporter implements Reporter {
  private failedStacks = new Set<number>();

  onTestEnd(_test: TestCase, result: TestResult) {
    if (result.status !== "passed" && result.status !== "skipped") {
      this.failedStacks.add(result.parallelIndex);
    }
  }

  onEnd(result: FullResult) {
    if (result.status === "passed") return;
    const stacks = this.failedStacks.size
      ? [...this.failedStacks].sort()
      : Array.from({ length: E2E_STACKS }, (_, i) => i);
    for (const i of stacks) {
      const log = e2eStack(i).serverLog;
      if (!existsSync(log)) continue;
      const lines = readFileSync(log, "utf8").trimEnd().split("\n");
      process.stdout.write(
        `\n== last ${Math.min(lines.length, SHOWN_LINES)} lines of web server ${i}'s output (${log}):\n`,
      );
      process.stdout.write(`${lines.slice(-SHOWN_LINES).join("\n")}\n`);
    }
  }
  // Playwright's own list reporter still prints the results.
  printsToStdio() {
    return false;
  }
}
