import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type InstanceSettings, readInstanceSettings } from "../../clerk/instance-settings";

// clerk/instance-settings.json with `change` applied, written to a file of its own, for an
// emulator started with EMULATOR_INSTANCE_SETTINGS. The file lives in a temporary folder the OS
// clears.
export function instanceSettingsFile(change: (settings: InstanceSettings) => void): string {
  const settings = structuredClone(readInstanceSettings());
  change(settings);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "instance-settings-")), "settings.json");
  writeFileSync(file, JSON.stringify(settings));
  return file;
}
