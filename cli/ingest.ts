/** `soilco2 ingest`: the thin command-line wrapper around runIngest (ingest/run-ingest.ts), which loads DuckDB only when it runs. */
import { type Command, Option } from "commander";
import { DRIVERS_MODES, type DriversMode } from "../ingest/external-drivers.ts";

interface IngestFlags {
  cosore: string;
  out: string;
  datasets?: string;
  externalDrivers?: string;
  driversMode: DriversMode;
  force?: boolean;
  quiet?: boolean;
}

/** Register the `ingest` sub-command on `program`. */
export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("build the daily site dataset (daily.parquet, sites.parquet, reports) from a COSORE release")
    .requiredOption("--cosore <dir>", "COSORE release folder (description.csv, ports.csv, datasets/)")
    .requiredOption("--out <dir>", "output folder; must be empty or absent unless --force")
    .option("--datasets <ids>", "comma-separated dataset ids to ingest (default: every dataset)")
    .option(
      "--external-drivers <file>",
      "CSV or Parquet of daily drivers: site, date, tsoil_mean, ... (docs/ingest.md)",
    )
    .addOption(
      new Option("--drivers-mode <mode>", "how external drivers meet in-situ ones")
        .choices([...DRIVERS_MODES])
        .default("fill"),
    )
    .option("--force", "replace the ingest files of a non-empty --out")
    .option("--quiet", "no progress bar and no per-dataset table")
    .action(async (flags: IngestFlags) => {
      const [{ Presets, SingleBar }, { runIngest }, { formatSummary, formatTotals }] = await Promise.all([
        import("cli-progress"),
        import("../ingest/run-ingest.ts"),
        import("../ingest/summary-table.ts"),
      ]);
      const bar =
        process.stderr.isTTY && !flags.quiet
          ? new SingleBar(
              {
                stream: process.stderr,
                format: "ingest [{bar}] {value}/{total} {dataset}",
                clearOnComplete: true,
              },
              Presets.shades_classic,
            )
          : null;
      let started = false;
      try {
        const summary = await runIngest({
          cosore: flags.cosore,
          out: flags.out,
          datasets: flags.datasets
            ?.split(",")
            .map((d) => d.trim())
            .filter(Boolean),
          externalDrivers: flags.externalDrivers,
          driversMode: flags.driversMode,
          force: flags.force ?? false,
          onProgress: (done, total, dataset) => {
            if (!bar) return;
            if (!started) {
              bar.start(total, 0, { dataset });
              started = true;
            }
            bar.update(done, { dataset });
          },
        });
        bar?.stop();
        console.log(
          flags.quiet ? formatTotals(summary.report) : formatSummary(summary.report, summary.datasets),
        );
      } finally {
        if (started) bar?.stop();
      }
    });
}
