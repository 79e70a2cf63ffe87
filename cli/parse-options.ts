/** Value parsers for commander options: a wrong value is an error naming the flag (commander prints it, exit 1). */
import { InvalidArgumentError } from "commander";

/**
 * An integer option within `[min, max]`.
 * @example new Option("--epochs <n>").argParser(intIn(1, 10_000)) // "--epochs 0" → "… must be an integer from 1 to 10000"
 */
export function intIn(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer >= ${min}`
          : `must be an integer from ${min} to ${max}`,
      );
    return n;
  };
}

/**
 * Parse a size: `16mb`, `512kb`, `1048576` (bytes; k/m/g are powers of 1024).
 * @example parseSize("16mb") // 16777216
 */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError("size must look like 16mb, 512kb or a number of bytes");
  const unit = (m[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  const bytes = Math.round(Number(m[1]) * factor);
  if (bytes < 1) throw new InvalidArgumentError("size must be at least 1 byte");
  return bytes;
}

/** A byte count as the help shows it: `16 MiB`, `512 KiB`, `100 B`. */
export function formatSize(bytes: number): string {
  for (const [unit, f] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const)
    if (bytes >= f && bytes % f === 0) return `${bytes / f} ${unit}`;
  return `${bytes} B`;
}

/**
 * Parse a rate: `600/min`, `10/s`, `600` (per minute), as requests per minute.
 * @example parseRate("10/s") // 600
 */
export function parseRate(v: string): number {
  const m = /^(\d+)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError("rate must look like 600/min, 10/s or 600");
  const per = (m[2] ?? "min").toLowerCase()[0];
  const n = Number(m[1]);
  const perMinute = per === "s" ? n * 60 : per === "h" ? Math.ceil(n / 60) : n;
  if (perMinute < 1) throw new InvalidArgumentError("rate must allow at least 1 request per minute");
  return perMinute;
}

/** Collect a repeatable option's values. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];
