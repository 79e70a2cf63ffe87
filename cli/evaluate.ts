/** `soilco2 evaluate`: re-run the evaluation, report and synthetic series of a trained run (tfjs loads only when it runs). */
import { type Command, Option } from "commander";
import type { BackendName } from "../training/backend.ts";
import { intIn } from "./parse-options.ts";

/** Register `evaluate` on the program. */
export function registerEvaluate(program: Command): void {
  program
    .command("evaluate")
    .description(
      "evaluate a trained run against the baselines: metrics, report.md with figures, synthetic daily series",
    )
    .argument("<run dir>", "run directory made by `soilco2 train`")
    .addOption(
      new Option("--min-days <n>", "a site enters a comparison set with at least this many test days")
        .argParser(intIn(1))
        .default(10, "10 days"),
    )
    .addOption(
      new Option("--backend <name>", "force a tfjs backend (default: the fastest that loads)").choices([
        "tensorflow",
        "wasm",
        "cpu",
      ]),
    )
    .option("--quiet", "no progress output")
    .action(async (runDir: string, o: { minDays: number; backend?: BackendName; quiet?: boolean }) => {
      const [{ runEvaluate }, { readRunConfig }, { unfinishedWarning }] = await Promise.all([
        import("../training/run-evaluate.ts"),
        import("../training/run-dir.ts"),
        import("../training/run-status.ts"),
      ]);
      const warning = await unfinishedWarning(runDir, (await readRunConfig(runDir)).config);
      if (warning) console.error(warning);
      const ev = await runEvaluate({
        runDir,
        minDays: o.minDays,
        backend: o.backend,
        log: o.quiet ? () => {} : (l) => console.error(l),
      });
      console.log(ev.headline);
      console.log(`report: ${runDir}/report.md`);
      if (warning) console.error(warning);
    });
}
