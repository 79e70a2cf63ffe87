/** A site cross-validation run scored as a user with a site's own history would meet the model: each site predicted by the fold's networks that never saw it, with reference statistics, calibration and baselines from the site's own early days. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ArtefactError } from "../core/errors.ts";
import { type BackendName, selectBackend } from "./backend.ts";
import { loadDailyDataset } from "./dataset.ts";
import { buildExperiment } from "./experiment.ts";
import { foldSeries } from "./member-model.ts";
import { foldDir, readNormaliser, readRunConfig } from "./run-dir.ts";
import { splitFolds } from "./run-train.ts";
import { type ScoreOutcome, scoreSeries, secondHalfOfValidation } from "./score-model.ts";
import { temporalSplit } from "./splits.ts";

/** The fold's `fold.json` must name the same held-out sites, or a site could be scored by a network trained on it. */
async function checkHeldOut(dir: string, sites: string[]): Promise<void> {
  const path = join(dir, "fold.json");
  const text = await readFile(path, "utf8").catch(() => {
    throw new ArtefactError(path, "not found", "pass a finished site cross-validation run");
  });
  const saved = (JSON.parse(text) as { heldOut?: string[] }).heldOut ?? [];
  if ([...saved].sort().join("\n") !== [...sites].sort().join("\n"))
    throw new ArtefactError(
      path,
      "holds out other sites than this dataset's folds would",
      "score with the ingest output the run was trained on (its config.json `data.dir`)",
    );
}

export interface SiteCvScoreOptions {
  /** A finished `soilco2 train --split site-cv` run. */
  runDir: string;
  /** Its ingest output (default: the run's `data.dir`); must hold the sites the run was trained on. */
  dataDir?: string;
  /** `test`: the last 30% of each site's observed days; `validation`: as in `soilco2 score --on validation`. */
  on?: "test" | "validation";
  /** A site enters a comparison set with at least this many scored days (default 10, 5 on validation). */
  minDays?: number;
  backend?: BackendName;
}

/**
 * Every site of a site cross-validation run, split by time as in the temporal split (the run's `testFraction`,
 * `valFraction`); the networks of the fold that held the site out (their ensemble mean, on the fold's normaliser) run
 * with the reference statistics of the site's own training days; the site calibration and every per-site baseline
 * fitted on its training + validation days; all scored on its test days (or, with `on: "validation"`, on the second
 * half of its validation days, test days unused). This is the setting of a user who brings a site's measured days to
 * a model that never saw the site.
 * @throws {ArtefactError} if the run is not a site cross-validation or lacks a fold's normaliser or weights
 */
export async function scoreSiteCvRun(opts: SiteCvScoreOptions): Promise<ScoreOutcome> {
  const { config } = await readRunConfig(opts.runDir);
  if (config.split.kind !== "site-cv")
    throw new ArtefactError(
      opts.runDir,
      `is a ${config.split.kind} run: every site's early days trained its network`,
      "pass a site cross-validation run (soilco2 train --split site-cv), or score an exported model directory",
    );
  await selectBackend(opts.backend);
  const { sites } = await loadDailyDataset(opts.dataDir ?? config.data.dir, config.data.minFluxDays);
  const on = opts.on ?? "test";
  const split = temporalSplit(sites, config.split.testFraction, config.split.valFraction);
  const labels = on === "validation" ? split.map((lab, i) => secondHalfOfValidation(sites[i]!, lab)) : split;
  const series: Float32Array[] = new Array(sites.length);
  for (const f of splitFolds(sites, config)) {
    const dir = foldDir(opts.runDir, f.fold);
    const held = f.heldOut.map((i) => sites[i]!);
    await checkHeldOut(
      dir,
      held.map((s) => s.info.site),
    );
    // The held-out sites with their own temporal split: the reference statistics come from their training days.
    const experiment = buildExperiment(
      held,
      f.heldOut.map((i) => split[i]!),
      config,
      await readNormaliser(dir),
    );
    (await foldSeries(dir, config.train.members, experiment)).forEach((s, k) => {
      series[f.heldOut[k]!] = s;
    });
  }
  const scored = scoreSeries(sites, labels, series, {
    label: "LSTM (site-cv, never saw the site)",
    withoutReference: false,
    minDays: opts.minDays,
    on,
  });
  return {
    ...scored,
    model: { dir: opts.runDir, version: `site-cv run ${opts.runDir}` },
    networkCoverage: null,
    newSiteCoverage: null,
  };
}
