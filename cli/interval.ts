/** `soilco2 interval`: calibrate a model directory's own 10-90% interval before the test days (validation days; for new sites optionally a site cross-validation's out-of-fold errors) and write it into its manifest and model card. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import type { NetworkIntervals } from "../core/network-interval.ts";
import type { IntervalFitOutcome } from "../training/fit-network-interval.ts";
import { withMarkedSection } from "./card-section.ts";

const BEGIN = "<!-- soilco2 interval: begin -->";
const END = "<!-- soilco2 interval: end -->";

/** The model card's interval section (between markers, so a rerun replaces it). */
export function intervalCardSection(o: IntervalFitOutcome, command: string): string {
  const row = (name: string, iv: NetworkIntervals["withReference"], check: number) =>
    `| ${name} | × ${iv.lower.toFixed(2)} | × ${iv.upper.toFixed(2)} | ${iv.widening} | ${iv.days} | ${(100 * check).toFixed(0)}% |`;
  return [
    BEGIN,
    "## Prediction interval (without a site calibration)",
    "",
    "Each prediction without a site calibration carries a 10-90% interval: the efflux times the factors below. A",
    "request with the site's reference statistics (`flux_ref`, `flux_sd`) gets the first row, any other the second;",
    `a site calibration brings its own, narrower interval. Calibrated on the ${o.intervals.fittedOn}.`,
    "",
    "| request | lower | upper | κ | days fitted | coverage where κ was chosen (median site) |",
    "|---|---|---|---|---|---|",
    row("with reference statistics", o.intervals.withReference, o.checkCoverage.withReference),
    row("without (a new site)", o.intervals.withoutReference, o.checkCoverage.withoutReference),
    "",
    `Made by \`${command}\`; its coverage on test days is printed by \`soilco2 score\`.`,
    END,
  ].join("\n");
}

/** Register `interval` on the program. */
export function registerInterval(program: Command): void {
  program
    .command("interval")
    .description(
      "calibrate a model's own 10-90% interval on the days before the test period of an ingest output (validation days; with --new-sites, out-of-fold errors for requests without reference statistics) and write it into the model directory",
    )
    .argument("<model-dir>", "model directory made by `soilco2 export` (e.g. models/soilco2-lstm/2)")
    .requiredOption("--data <dir>", "ingest output directory (daily.parquet + sites.parquet), e.g. out/daily")
    .option(
      "--new-sites <run dir>",
      "a site cross-validation run on the same data (soilco2 train --split site-cv): fit the interval for requests without reference statistics on its out-of-fold errors, as new sites err (default: the model's own sites run without their statistics)",
    )
    .action(async (modelDir: string, o: { data: string; newSites?: string }) => {
      // Loaded here, not at the top: DuckDB and onnxruntime stay out of every other command's start.
      const { fitNetworkIntervals, writeManifestIntervals } = await import(
        "../training/fit-network-interval.ts"
      );
      const { MODEL_DIR_FILES } = await import("../model/manifest.ts");
      const { writeFileAtomic } = await import("../io/atomic-write.ts");
      const outcome = await fitNetworkIntervals({ modelDir, dataDir: o.data, newSiteRun: o.newSites });
      await writeManifestIntervals(modelDir, outcome.intervals);
      const cardPath = join(modelDir, MODEL_DIR_FILES.card);
      const card = await readFile(cardPath, "utf8").catch(() => "");
      const command = `soilco2 interval ${modelDir} --data ${o.data}${o.newSites ? ` --new-sites ${o.newSites}` : ""}`;
      const section = intervalCardSection(outcome, command);
      await writeFileAtomic(cardPath, withMarkedSection(card, BEGIN, END, section));
      console.log(section.split("\n").slice(1, -1).join("\n"));
    });
}
