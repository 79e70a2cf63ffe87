/** `soilco2 evaluate` as a function: predictions, baselines, metrics, report and the synthetic daily series of a run. */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeJsonAtomic } from "../io/atomic-write.ts";
import { type BackendName, describeBackend, selectBackend } from "./backend.ts";
import { BASELINES } from "./baselines/baselines.ts";
import { CALIBRATED_MODEL, calibratedSeries } from "./calibrated-series.ts";
import type { TrainConfig } from "./config.ts";
import { loadDailyDataset, type SiteSeries } from "./dataset.ts";
import {
  defaultComparisonSets,
  type Evaluation,
  evaluate,
  type ModelSeries,
  withCalibrated,
} from "./evaluate.ts";
import { buildExperiment, type Experiment } from "./experiment.ts";
import { foldSeries } from "./member-model.ts";
import { writeGoldenInputs } from "./report/golden-inputs.ts";
import { writeReport } from "./report/write-report.ts";
import { foldDir, RUN_FILES, readNormaliser, readRunConfig } from "./run-dir.ts";
import { splitFolds, type TrainOutcome } from "./run-train.ts";
import { scoreSiteCvRun } from "./score-site-cv.ts";
import { summaryJson } from "./summary.ts";
import { writeSyntheticSeries } from "./synthetic-series.ts";

export interface EvaluateOptions {
  runDir: string;
  /** Reuse what `runTrain` just built instead of reloading it. */
  trained?: TrainOutcome;
  backend?: BackendName;
  /** Sites enter a comparison set with at least this many test days in it. */
  minDays?: number;
  log?: (line: string) => void;
}

export interface EvaluateOutcome {
  evaluation: Evaluation;
  summary: Record<string, unknown>;
  headline: string;
}

/** Per fold: the experiment (with the saved normaliser), the model and its full-series predictions. */
interface FoldPredictions {
  fold: number | null;
  heldOut: number[];
  experiment: Experiment;
  lstm: Float32Array[];
  baselines: Map<string, (Float32Array | null)[]>;
}

/**
 * Evaluate a run: every fold's model predicts every site's full series; the baselines are fitted on the same
 * training days; each site is scored with the fold that held it out (site-cv) or the one model (temporal).
 * Writes `metrics/`, `report.md`, `figures/`, `predictions/` and `golden-inputs.json` into the run directory.
 * @throws {ArtefactError} if a fold lacks its normaliser or weights
 */
export async function runEvaluate(opts: EvaluateOptions): Promise<EvaluateOutcome> {
  const log = opts.log ?? (() => {});
  const runDir = resolve(opts.runDir);
  if (!opts.trained) log(describeBackend(await selectBackend(opts.backend)));
  const { config } = opts.trained ?? (await readRunConfig(runDir));
  const sites: SiteSeries[] = opts.trained
    ? opts.trained.sites
    : (await loadDailyDataset(config.data.dir, config.data.minFluxDays)).sites;

  const folds: FoldPredictions[] = [];
  for (const f of splitFolds(sites, config)) {
    const dir = foldDir(runDir, f.fold);
    const normaliser = await readNormaliser(dir);
    const experiment = buildExperiment(sites, f.labels, config, normaliser);
    const trained = opts.trained?.folds.find((x) => x.fold === f.fold);
    const lstm = await foldSeries(
      dir,
      config.train.members,
      experiment,
      trained?.results.map((r) => ({ params: r.params, architecture: r.architecture })),
    );
    const baselines = new Map(BASELINES.map((b) => [b.name, b.run(sites, f.labels).predictions] as const));
    folds.push({ fold: f.fold, heldOut: f.heldOut, experiment, lstm, baselines });
    log(`evaluated ${f.fold === null ? "model" : `fold ${f.fold + 1}`}`);
  }

  // Each site is scored by the fold that holds it out (site-cv) or by the single temporal model.
  const pick = (i: number) =>
    config.split.kind === "temporal" ? folds[0]! : folds.find((f) => f.heldOut.includes(i))!;
  const labels = sites.map((_, i) => pick(i).experiment.labels[i]!);
  const network = sites.map((_, i) => pick(i).lstm[i]!);
  const models: ModelSeries[] = [
    { name: "lstm", label: "LSTM (soilco2)", series: network },
    { ...CALIBRATED_MODEL, series: calibratedSeries(sites, labels, network).series },
    ...BASELINES.map((b) => ({
      name: b.name,
      label: b.label,
      series: sites.map((_, i) => pick(i).baselines.get(b.name)![i]!),
    })),
  ];
  const available = new Set(models.filter((m) => m.series.some((s) => s !== null)).map((m) => m.name));
  const sets = withCalibrated(defaultComparisonSets(BASELINES)).map((s) => ({
    ...s,
    models: s.models.filter((m) => available.has(m)),
  }));
  const evaluation = evaluate(sites, labels, models, sets, opts.minDays ?? 10);
  // Site cross-validation also scores its sites as a user with their history meets the model (training/score-site-cv.ts).
  const withHistory =
    config.split.kind === "site-cv"
      ? (
          await scoreSiteCvRun({
            runDir,
            dataDir: config.data.dir,
            minDays: opts.minDays,
            backend: tf.getBackend() as BackendName,
          })
        ).evaluation
      : undefined;
  const summary = summaryJson(config, evaluation, sites, withHistory);

  await mkdir(join(runDir, RUN_FILES.metrics), { recursive: true });
  await writeJsonAtomic(join(runDir, RUN_FILES.summary), summary);
  await writeReport(runDir, { config, sites, labels, models, evaluation, summary, withHistory, log });
  await writeSyntheticSeries(
    runDir,
    sites,
    labels,
    models[0]!.series as Float32Array[],
    config.train.warmupDays,
  );
  await writeGoldenInputs(runDir, sites, labels, config);
  return { evaluation, summary, headline: headlineOf(config, evaluation) };
}

/** One paragraph for the terminal: the LSTM against the best baseline on each comparison set. */
export function headlineOf(config: TrainConfig, ev: Evaluation): string {
  const lines = [`evaluation (${config.split.kind} split, test days, sites with ≥ ${ev.minDays} days):`];
  for (const set of ev.test) {
    const lstm = set.models.find((m) => m.model === "lstm");
    if (!lstm) continue;
    const others = set.models.filter((m) => m.model !== "lstm" && m.model !== CALIBRATED_MODEL.name);
    const best = others.sort((a, b) => b.medianKge - a.medianKge)[0];
    const cal = set.models.find((m) => m.model === CALIBRATED_MODEL.name);
    lines.push(
      `  ${set.label} (${set.sites.length} sites): LSTM median KGE ${fmt(lstm.medianKge)} NSE ${fmt(lstm.medianNse)}, ` +
        `${lstm.goodSites}/${lstm.sites} good` +
        (cal
          ? `; site-calibrated KGE ${fmt(cal.medianKge)} NSE ${fmt(cal.medianNse)}, ${cal.goodSites} good`
          : "") +
        (best ? `; best baseline ${best.model} KGE ${fmt(best.medianKge)} NSE ${fmt(best.medianNse)}` : ""),
    );
  }
  return lines.join("\n");
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "n/a";
}

export type { SiteSeries };
