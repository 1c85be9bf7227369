// Vitest set-up file of the app project: when a test fails, what the app servers of its file
// logged while it ran is printed under it (the last lines of each), so that a failure in CI says
// what the server saw: the refusal's reason, a warning about Clerk, a stack. The shared stack's
// app (tests/support/app-stack.ts) serves the files running beside this one too: its lines may be
// theirs.
import { afterEach, beforeEach } from "vitest";
import { type LoggingApp, loggingApps } from "./app-process";

const LAST_LINES = 40;
const LINE_CHARS = 600;
const marks = new Map<LoggingApp, number>();

beforeEach(() => {
  marks.clear();
  for (const app of loggingApps().values()) marks.set(app, app.mark());
});

afterEach(({ task }) => {
  const apps = [...loggingApps().values()];
  if (task.result?.state === "fail") {
    for (const app of apps) {
      const lines = app
        .since(marks.get(app) ?? 0)
        .split("\n")
        .filter((line) => line.trim() !== "");
      if (lines.length === 0) continue;
      const shown = lines.slice(-LAST_LINES).map((l) => l.slice(0, LINE_CHARS));
      const count =
        lines.length > shown.length ? `last ${shown.length} of ${lines.length} lines` : "all";
      console.error(
        `== what the app at ${app.url} logged during "${task.name}" (${count}):\n${shown.join("\n")}`,
      );
    }
  }
  for (const app of apps) if (app.stopped) loggingApps().delete(app.url);
});
