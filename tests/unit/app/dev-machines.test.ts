import { describe, expect, it } from "vitest";
import { readSeed } from "../../../emulator/src/seed";
import {
  DEV_APP_MACHINE_SECRET,
  DEV_JOB_MACHINE_SECRET,
  DEV_SEED,
} from "../../../scripts/lib/clerk-wiring";

describe("the development wiring's machines", () => {
  it("are the dev seed's: the app's own, and a job with a scope to it", () => {
    const { machines } = readSeed(DEV_SEED);
    const app = machines.find((m) => m.secret === DEV_APP_MACHINE_SECRET);
    const job = machines.find((m) => m.secret === DEV_JOB_MACHINE_SECRET);
    expect(app).toBeDefined();
    expect(job?.scoped_machines).toEqual([app?.name]);
  });
});
