/** `soilco2 predict-batch`: gap-filled daily efflux for many sites from long-format driver files (batch/, docs/batch.md). */
import { type Command, Option } from "commander";
import { DEFAULT_JOB_OPTIONS } from "../batch/job.ts";
import type { BatchManifest } from "../batch/manifest.ts";
import { intIn } from "./parse-options.ts";

/** Register `predict-batch` on the program. */
export function registerPredictBatch(program: Command): void {
  program
    .command("predict-batch")
    .description(
      "predict every calendar day of many sites' series (Parquet or CSV in, Parquet parts out); a rerun on the same --out resumes",
    )
    .requiredOption(
      "--drivers <file or glob>",
      "long-format drivers: site, date, and driver columns named and in the units of the model schema (Parquet or CSV)",
    )
    .requiredOption(
      "--sites <file>",
      "site, the static attributes, and optionally calibration (a soilco2-site-calibration JSON per site)",
    )
    .requiredOption("--out <dir>", "output directory: job.json, parts/chunk-*.parquet, manifest.json")
    .option("--model <dir>", "model version directory (default: the highest version of models/soilco2-lstm)")
    .addOption(
      new Option("--spin-up <mode>", "days before each series that warm the model up")
        .choices(["mirror", "repeat", "none"])
        .default(DEFAULT_JOB_OPTIONS.spinUp),
    )
    .option(
      "--part-site-days <n>",
      "site-days (output rows) per part",
      intIn(1),
      DEFAULT_JOB_OPTIONS.partSiteDays,
    )
    .option(
      "--batch-site-days <n>",
      "most padded site-days in one session.run",
      intIn(1),
      DEFAULT_JOB_OPTIONS.batchSiteDays,
    )
    .option(
      "--sessions <n>",
      "onnxruntime worker sessions on this machine, one thread each (default: the cores, at most 8)",
      intIn(1, 64),
    )
    .option(
      "--queue <url>",
      "redis://host:port: enqueue the parts for `soilco2 worker` processes and wait for them",
    )
    .option("--no-progress", "no progress bar")
    .action(async (o) => {
      const { predictBatch } = await import("../batch/predict-batch.ts");
      const manifest = await predictBatch({
        drivers: o.drivers,
        sites: o.sites,
        outDir: o.out,
        modelDir: o.model,
        job: { spinUp: o.spinUp, partSiteDays: o.partSiteDays, batchSiteDays: o.batchSiteDays },
        sessions: o.sessions,
        queue: o.queue,
        progress: o.progress,
        log: (line) => console.error(line),
      });
      console.log(summary(manifest, o.out));
    });
}

/** The lines printed after a run: totals, bad rows by issue, the sites that did not run. */
export function summary(m: BatchManifest, out: string): string {
  const byIssue: Record<string, number> = {};
  for (const s of Object.values(m.issues))
    for (const [k, n] of Object.entries(s.rows)) byIssue[k] = (byIssue[k] ?? 0) + n;
  const failed = [
    ...Object.entries(m.issues)
      .filter(([, s]) => s.error)
      .map(([site, s]) => `${site}: ${s.error}`),
    ...m.rejectedSites.map((r) => `${r.site ?? "(no id)"}: ${r.reason}`),
  ];
  const lines = [
    `wrote ${m.totals.rows} site-days of ${m.totals.sites} sites in ${m.parts.length} parts to ${out} (manifest.json)`,
    `bad rows: ${m.totals.badRows}${
      Object.keys(byIssue).length
        ? ` (${Object.entries(byIssue)
            .map(([k, n]) => `${k} ${n}`)
            .join(", ")}; per site in manifest.json issues)`
        : ""
    }`,
  ];
  if (failed.length > 0)
    lines.push(
      `sites not predicted: ${failed.length}`,
      ...failed.slice(0, 20).map((f) => `  ${f}`),
      ...(failed.length > 20 ? [`  … ${failed.length - 20} more in manifest.json`] : []),
    );
  return lines.join("\n");
}
