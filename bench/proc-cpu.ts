/** CPU time from Linux's /proc (utime + stime, fields 14 and 15 of proc(5), in clock ticks of 10 ms) for the benches. */
import { readFileSync } from "node:fs";

/**
 * CPU seconds used so far by a process (`/proc/<pid>/stat`) or one of its threads (`/proc/self/task/<tid>/stat`).
 * @param statPath e.g. `/proc/1234/stat`
 * @returns seconds, or NaN where the file cannot be read (not Linux, process gone)
 */
export function procCpuSeconds(statPath: string): number {
  try {
    const fields = readFileSync(statPath, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
