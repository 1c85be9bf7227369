import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

const tempFileOf = (file: string) => `${file}.${process.pid}.tmp`;

// Write-then-rename: a crash mid-write leaves the previous file intact, never a torn one.
export function writeFileAtomic(file: string, contents: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempFileOf(file);
  writeFileSync(tmp, contents, { mode });
  renameSync(tmp, file);
}

// The same, asynchronous. Not synced to the disk: the file survives the process dying at any
// point, which is what a development tool meets; a crash of the whole machine may lose the last
// writes. (An fsync costs 30 to 90 ms per write on a busy shared VM, enough to slow every change
// a browser makes through the emulator past the end-to-end suites' timeouts.)
export async function replaceFileAtomically(file: string, contents: string, mode = 0o600) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = tempFileOf(file);
  await writeFile(tmp, contents, { mode });
  await rename(tmp, file);
}

// A process killed mid-write leaves its half-written temporary file behind, never the file itself.
// Removes those of processes no longer running.
export function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(file);
  if (!existsSync(dir)) return;
  const prefix = `${path.basename(file)}.`;
  for (const name of readdirSync(dir)) {
    const pid =
      name.startsWith(prefix) && name.endsWith(".tmp") ? name.slice(prefix.length, -4) : "";
    if (/^\d+$/.test(pid) && !isRunning(Number(pid))) rmSync(path.join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readFileIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}
