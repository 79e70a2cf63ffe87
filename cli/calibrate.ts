/** `soilco2 calibrate`: a site's calibration JSON (reference statistics, process models, blend weights) from its measured days, for one model version. */
import type { Command } from "commander";
import type { CalibrateOptions } from "./calibrate-action.ts";

/** Register `calibrate` on the program. */
export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description(
      "fit a site's calibration for a model: reference statistics, per-site process models and blend weights (JSON for /v1/predict)",
    )
    .requiredOption("--model <dir>", "model directory made by `soilco2 export` (e.g. models/soilco2-lstm/2)")
    .option("--request <file>", "a JSON calibration request: {site: <as in /v1/predict>, flux_mean: [...]}")
    .option("--data <dir>", "or: an ingest output directory, with --site")
    .option("--site <id>", "the site of --data to calibrate")
    .option("--to <YYYY-MM-DD>", "with --data: use the site's days up to this date only")
    .option("--out <file>", "write the calibration here instead of standard output")
    .action(async (o: CalibrateOptions) => {
      const { runCalibrate } = await import("./calibrate-action.ts");
      await runCalibrate(o);
    });
}
