/** `soilco2 reference`: a site's reference statistics from a CSV or Parquet file of its days (the reader, with DuckDB, loads only when it runs). */
import type { Command } from "commander";
import { REFERENCE_STAT_NAMES } from "../core/reference-names.ts";

/** Register `reference` on the program. */
export function registerReference(program: Command): void {
  program
    .command("reference")
    .description(
      `a site's reference statistics (${REFERENCE_STAT_NAMES.join(", ")}) from its measured days, as training computes them: the optional site attributes of a prediction request`,
    )
    .argument("<file>", "CSV or Parquet with columns date, flux_mean [, tsoil_mean, swc_mean, site]")
    .option(
      "--site <id>",
      "use the rows of this site (the file has a site column, e.g. ingest's daily.parquet)",
    )
    .option("--from <date>", "first day of the reference period (YYYY-MM-DD)")
    .option("--to <date>", "last day of the reference period (YYYY-MM-DD)")
    .action(async (file: string, o: { site?: string; from?: string; to?: string }) => {
      const { referenceFromFile } = await import("./reference-file.ts");
      const report = await referenceFromFile({ file, site: o.site, from: o.from, to: o.to });
      console.log(JSON.stringify(report, null, 2));
    });
}
