import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import path from "node:path";

const tempFileOf = (file: string) => `${file}.${process.pid}.tmp`;

// Write-then-rename: a crash mid-write leaves the previous file intact, never a torn one.
export function writeFileAtomic(file: string, contents: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempFileOf(file);
  writeFileSync(tmp, contents, { mode });
  renameSync(tmp, file);
}

// The same, asynchronous and synced: once it resolves the new contents survive a crash of the
// machine too (the file's data before the rename, the directory entry after it).
export async function replaceFileDurably(file: string, contents: string, mode = 0o600) {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = tempFileOf(file);
  const handle = await open(tmp, "w", mode);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
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
