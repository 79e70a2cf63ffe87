/** `soilco2 synthetic-series`: the gap-free synthetic daily dataset of the training sites, through predict-batch (batch/synthetic-series.ts). */
import type { Command } from "commander";
import { intIn } from "./parse-options.ts";

/** Register `synthetic-series` on the program. */
export function registerSyntheticSeries(program: Command): void {
  program
    .command("synthetic-series")
    .description(
      "every calendar day of each training site, first to last: observed efflux where measured, the exported model's elsewhere, with split, warm-up and driver-coverage flags",
    )
    .requiredOption("--data <dir>", "ingest output directory (daily.parquet, sites.parquet)")
    .requiredOption(
      "--out <dir>",
      "output directory: synthetic-daily.{parquet,csv}, and the batch run in batch/",
    )
    .option("--model <dir>", "model version directory (default: the highest version of models/soilco2-lstm)")
    .option("--min-flux-days <n>", "a site enters with at least this many flux days", intIn(1), 30)
    .option(
      "--sessions <n>",
      "onnxruntime worker sessions, one thread each (default: the cores, at most 8)",
      intIn(1, 64),
    )
    .option("--no-progress", "no progress bar")
    .action(async (o) => {
      const { writeGapFreeSynthetic } = await import("../batch/synthetic-series.ts");
      const r = await writeGapFreeSynthetic({
        dataDir: o.data,
        outDir: o.out,
        modelDir: o.model,
        sessions: o.sessions,
        minFluxDays: o.minFluxDays,
        progress: o.progress,
        log: (line) => console.error(line),
      });
      console.log(`wrote ${r.rows} site-days of ${r.sites} sites to ${r.parquet} (and .csv)`);
    });
}
