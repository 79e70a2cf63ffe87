/** `soilco2 evaluate`: re-run the evaluation, report and synthetic series of a trained run. */
import type { Command } from "commander";
import type { BackendName } from "../training/backend.ts";
import { runEvaluate } from "../training/run-evaluate.ts";

/** Register `evaluate` on the program. */
export function registerEvaluate(program: Command): void {
  program
    .command("evaluate")
    .description(
      "evaluate a trained run against the baselines: metrics, report.md with figures, synthetic daily series",
    )
    .argument("<run dir>", "run directory made by `soilco2 train`")
    .option("--min-days <n>", "a site enters a comparison set with at least this many test days", Number, 10)
    .option("--backend <name>", "force a tfjs backend: tensorflow, wasm or cpu")
    .option("--quiet", "no progress output")
    .action(async (runDir: string, o) => {
      const ev = await runEvaluate({
        runDir,
        minDays: o.minDays,
        backend: o.backend as BackendName | undefined,
        log: o.quiet ? () => {} : (l) => console.error(l),
      });
      console.log(ev.headline);
      console.log(`report: ${runDir}/report.md`);
    });
}
