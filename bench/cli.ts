/** `npm run bench:cli`: wall time of `soilco2 --help` and `soilco2 train --help` (target < 0.3 s) against a bare `node -e ""` start, interleaved in the same run. */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

/** Target for `--help`, seconds. */
export const HELP_TARGET_S = 0.3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const BIN = fileURLToPath(new URL("../bin/soilco2.js", import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const wall = (args: readonly string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
};

const cases = {
  'node -e ""  (yardstick: a bare Node start)': ["-e", ""],
  "soilco2 --help": [BIN, "--help"],
  "soilco2 train --help": [BIN, "train", "--help"],
  "soilco2 serve --help": [BIN, "serve", "--help"],
} as const;
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]]));
wall(cases["soilco2 --help"]); // warm tsx's transform cache, as every run after the first finds it
for (let i = 0; i < ROUNDS; i++)
  for (const [k, args] of Object.entries(cases)) times[k]!.push(wall([...args]));
const yard = median(times['node -e ""  (yardstick: a bare Node start)']!);
console.log(`median wall time of ${ROUNDS} interleaved runs:`);
for (const [k, ts] of Object.entries(times)) {
  const m = median(ts);
  const verdict = k.startsWith("soilco2")
    ? `  target < ${HELP_TARGET_S} s: ${m < HELP_TARGET_S ? "met" : "MISSED"}`
    : "";
  console.log(`  ${k.padEnd(44)} ${m.toFixed(3)} s  ${(m / yard).toFixed(2)}x node${verdict}`);
}
const [l1] = loadavg();
console.log(`machine: ${cpus().length} CPUs, load average ${l1!.toFixed(1)} (1 min)`);
