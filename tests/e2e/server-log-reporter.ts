import { existsSync, readFileSync } from "node:fs";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { E2E_STACKS, e2eStack } from "./ports";

const SHOWN_LINES = 150;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

// The web servers' output stays in their log files unless the run failed: then the last lines of
// each failing test's stack (its worker's, see ./ports.ts) are printed after the results, where a
// failing test's cause (a 500's stack, an emulator error) shows. A run that failed before any test
// (a stack that did not start) prints every stack's. Last of all, one line per test that failed
// (and per test that passed only on its retry), so the end of a long CI log names them.
export default class ServerLogReporter implements Reporter {
  private failedStacks = new Set<number>();
  private failures = new Map<TestCase, string>();
  private flaky = new Map<TestCase, string>();

  onTestEnd(test: TestCase, result: TestResult) {
    if (result.status === "passed" || result.status === "skipped") {
      if (result.retry > 0 && this.failures.has(test)) {
        this.flaky.set(test, this.failures.get(test) as string);
        this.failures.delete(test);
      }
      return;
    }
    this.failedStacks.add(result.parallelIndex);
    const message = (result.error?.message ?? result.status).replace(ANSI, "");
    const lines = message
      .split("\n")
      .map((line) => line.trim().slice(0, 200))
      .filter(Boolean)
      .slice(0, 4);
    const at = result.error?.location;
    const where = at ? `at line ${at.line}, ` : "";
    // What the test printed (the unanswered requests of a stalled page: fixtures.ts).
    const printed = result.stdout
      .map((chunk) => chunk.toString())
      .join("")
      .split("\n")
      .filter(Boolean)
      .slice(0, 12)
      .map((line) => line.slice(0, 200));
    this.failures.set(
      test,
      [...lines, ...printed, `(${where}stack ${result.parallelIndex})`].join("\n     "),
    );
  }

  onEnd(result: FullResult) {
    if (result.status !== "passed") this.printServerLogs();
    const name = (test: TestCase) =>
      `${test.location.file.split("/tests/e2e/")[1] ?? test.location.file}:${test.location.line} ${test.titlePath().slice(3).join(" › ")}`;
    if (this.flaky.size) {
      process.stdout.write("\n== passed only on the retry (first failure):\n");
      for (const [test, why] of this.flaky) process.stdout.write(`   ${name(test)}\n     ${why}\n`);
    }
    if (this.failures.size) {
      process.stdout.write("\n== failed:\n");
      for (const [test, why] of this.failures) {
        process.stdout.write(`   ${name(test)}\n     ${why}\n`);
      }
    }
  }

  private printServerLogs() {
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
