import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// Write-then-rename: a crash mid-write leaves the previous file intact, never a torn one.
export function writeFileAtomic(file: string, contents: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents, { mode });
  renameSync(tmp, file);
}

export function readFileIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}
