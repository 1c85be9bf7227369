import { type AppProcess, freePort, startApp } from "../support/app-process";
import {
  type EmulatorProcess,
  removeDataDir,
  startEmulatorProcess,
} from "../support/emulator-process";
import { test } from "./fixtures";
import { APP_DATABASE_URL } from "./ports";

export type OwnStack = { emulator: EmulatorProcess; app: AppProcess };

// An app and emulator of a file's own, for tests that need instance settings the rest of the
// suite does not run (`settingsFile`: what EMULATOR_INSTANCE_SETTINGS names), started from the
// suite's build on the worker's database before the file's tests and stopped after them. With
// `webhooks`, the emulator delivers Clerk's webhooks to this app.
export function ownStack(settingsFile: () => string, options: { webhooks?: boolean } = {}) {
  const stack = {} as OwnStack;
  test.beforeAll(async () => {
    const port = await freePort();
    stack.emulator = await startEmulatorProcess({
      env: {
        EMULATOR_INSTANCE_SETTINGS: settingsFile(),
        EMULATOR_AUTHORIZED_PARTY: `http://localhost:${port}`,
        ...(options.webhooks && {
          EMULATOR_WEBHOOK_URL: `http://127.0.0.1:${port}/api/webhooks/clerk`,
        }),
      },
    });
    stack.app = await startApp({
      emulator: stack.emulator,
      databaseUrl: APP_DATABASE_URL,
      port,
    });
  });
  test.afterAll(async () => {
    await stack.app?.stop();
    await stack.emulator?.stop();
    if (stack.emulator) removeDataDir(stack.emulator.dataDir);
  });
  return stack;
}
