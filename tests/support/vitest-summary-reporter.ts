// A Vitest reporter after the default one: the run's last lines, where a CI excerpt is cut, name
// each failed test (file:line, its name, the first lines of its error; the whole error, and what
// its servers logged, are above) and each test that passed only on its retry (in CI a failed
// test runs once more: vitest.config.ts), so flakiness shows instead of hiding.
import { stripVTControlCharacters } from "node:util";
import type { Reporter, TestCase, TestModule } from "vitest/node";

const ERROR_LINES = 3;

function where(test: TestCase): string {
  const line = test.location ? `:${test.location.line}` : "";
  return `${test.module.relativeModuleId}${line} › ${test.fullName}`;
}

function firstLines(message: string | undefined): string[] {
  return stripVTControlCharacters(message ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .slice(0, ERROR_LINES)
    .map((l) => `      ${l.slice(0, 300)}`);
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const failed: string[] = [];
    const retried: string[] = [];
    for (const module of modules) {
      for (const error of module.errors()) {
        failed.push(`   ${module.relativeModuleId}`, ...firstLines(error.message));
      }
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "failed") {
          failed.push(`   ${where(test)}`, ...firstLines(result.errors?.[0]?.message));
        } else if (result.state === "passed" && test.diagnostic()?.flaky) {
          retried.push(`   ${where(test)}`);
        }
      }
    }
    if (failed.length > 0) process.stdout.write(`\n== failed:\n${failed.join("\n")}\n`);
    if (retried.length > 0) {
      process.stdout.write(`\n== passed only on the retry:\n${retried.join("\n")}\n`);
    }
  }
}
