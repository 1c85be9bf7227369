import { readFileSync } from "node:fs";

// The CPU time (user + system, in ms) a process has used so far, from Linux's /proc/<pid>/stat;
// null where there is no /proc. A busy machine slows a request down but barely changes the CPU
// time it takes, so this is the steadier figure of what a request costs.
const TICKS_PER_SECOND = 100;

export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, in parentheses): state is field 3,
    // utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
