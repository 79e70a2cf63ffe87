/** `soilco2 score`: what ships, scored as a user would run it: an exported model directory on onnxruntime-node, against the baselines on the same days. */
import { intervalCoverage, type RatioInterval } from "../core/interval.ts";
import { median } from "../core/metrics.ts";
import { staticRow } from "../core/static-vector.ts";
import { type ModelDir, readModelDir } from "../model/node/read-model.ts";
import { createOrtPredictor } from "../model/ort-predict.ts";
import { BASELINES } from "./baselines/baselines.ts";
import { CALIBRATED_MODEL, calibratedSeries } from "./calibrated-series.ts";
import { dynamicMatrix, loadDailyDataset, type SiteSeries, staticValue } from "./dataset.ts";
import {
  defaultComparisonSets,
  type Evaluation,
  evaluate,
  type ModelSeries,
  setDays,
  withCalibrated,
} from "./evaluate.ts";
import { derivedStatics } from "./experiment.ts";
import { outOfFoldSeries } from "./new-site-errors.ts";
import { SPLIT, type SplitLabels, temporalSplit } from "./splits.ts";

export interface ScoreOptions {
  /** An exported model directory (model.onnx + manifest.json). */
  modelDir: string;
  /** An ingest output directory (daily.parquet + sites.parquet). */
  dataDir: string;
  /** Sites need this many observed days (training's `data.minFluxDays`). */
  minFluxDays?: number;
  /** Last share of each site's observed days that is test, and the share before it that is validation. */
  testFraction?: number;
  valFraction?: number;
  /** Leave the site's reference statistics out of every request, as for a site never measured. */
  withoutReference?: boolean;
  /** A site enters a comparison set with at least this many test days in it. */
  minDays?: number;
  /**
   * Which days are scored: `test` (the last share of each site's days), or `validation`, for choices between
   * variants: the second half of each site's validation days is scored, the first half is the validation (selection)
   * period, and test days are not used at all.
   */
  on?: "test" | "validation";
  /**
   * A site cross-validation run on the same data: also report the coverage of the interval for requests without
   * reference statistics on its out-of-fold predictions (sites the predicting network never saw).
   */
  newSiteRun?: string;
}

export interface ScoreOutcome {
  evaluation: Evaluation;
  sites: SiteSeries[];
  labels: SplitLabels;
  model: { dir: string; version: string };
  on: "test" | "validation";
  withoutReference: boolean;
  /** Every model's full series per site, as scored. */
  models: ModelSeries[];
  /** The calibrated form's 10-90% interval on the scored days: median per-site coverage, over how many sites. */
  coverage: { median: number; sites: number; withoutInterval: number } | null;
  /** The network's own interval (manifest `intervals`) on the scored days, as for `coverage`; null if it has none. */
  networkCoverage: { median: number; sites: number; withoutInterval: number } | null;
  /** That interval without reference statistics on `newSiteRun`'s out-of-fold predictions, scored days only. */
  newSiteCoverage: { median: number; sites: number; withoutInterval: number; run: string } | null;
}

/**
 * Every site's whole series from an exported model on onnxruntime-node, as a client sends it (raw physical inputs,
 * NaN gaps), with the reference statistics of each site's training days unless `withoutReference`.
 * @returns per site, [length] efflux, µmol m-2 s-1
 */
export async function predictSites(
  md: ModelDir,
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  withoutReference: boolean,
): Promise<Float32Array[]> {
  const ort = await import("onnxruntime-node");
  const predictor = await createOrtPredictor(ort, md.modelBytes, { intraOpNumThreads: 1 });
  const dynNames = md.schema.dynamic.map((f) => f.name);
  const stNames = md.schema.static.map((f) => f.name);
  const series: Float32Array[] = [];
  try {
    for (const [i, s] of sites.entries()) {
      const ref: Record<string, number> = withoutReference ? {} : derivedStatics(s, labels[i]!);
      const values = stNames.map((n) => (n in ref ? ref[n]! : staticValue(s.info, n)));
      const st = staticRow(values, s.info.igbp, md.schema.categorical.categories);
      const y = await predictor.predict({
        dynamic: dynamicMatrix(s, dynNames),
        static: st,
        batch: 1,
        time: s.length,
        dynamicCols: dynNames.length,
        staticCols: st.length,
      });
      series.push(Float32Array.from(y));
    }
  } finally {
    await predictor.release();
  }
  return series;
}

/**
 * Predict every site's whole series with the exported graph (raw physical inputs, NaN gaps, as a client sends them;
 * the reference statistics from the site's training period, unless `withoutReference`), fit the baselines on the
 * same history (training + validation days), and score all of them on the test days of the temporal split.
 */
export async function scoreModelDir(opts: ScoreOptions): Promise<ScoreOutcome> {
  const md = await readModelDir(opts.modelDir);
  const { sites } = await loadDailyDataset(opts.dataDir, opts.minFluxDays ?? 30);
  const split = temporalSplit(sites, opts.testFraction ?? 0.3, opts.valFraction ?? 0.1);
  const labels =
    opts.on === "validation" ? split.map((lab, i) => secondHalfOfValidation(sites[i]!, lab)) : split;
  const series = await predictSites(md, sites, labels, opts.withoutReference ?? false);
  const scored = scoreSeries(sites, labels, series, {
    label: `soilco2 ${md.manifest.version}`,
    withoutReference: opts.withoutReference ?? false,
    minDays: opts.minDays,
    on: opts.on ?? "test",
  });
  return {
    ...scored,
    model: { dir: md.dir, version: md.manifest.version },
    // On validation days the manifest's interval is in-sample (`soilco2 interval` fits it there): no figure.
    networkCoverage:
      md.manifest.intervals && opts.on !== "validation"
        ? siteCoverage(
            sites,
            labels,
            series,
            sites.map(() =>
              opts.withoutReference
                ? md.manifest.intervals!.withoutReference
                : md.manifest.intervals!.withReference,
            ),
          )
        : null,
    newSiteCoverage:
      opts.newSiteRun && md.manifest.intervals && opts.on !== "validation"
        ? {
            ...siteCoverage(
              sites,
              labels,
              await outOfFoldSeries(opts.newSiteRun, sites, md.schema),
              sites.map(() => md.manifest.intervals!.withoutReference),
            ),
            run: opts.newSiteRun,
          }
        : null,
  };
}

/**
 * Score the network's series, its site-calibrated form (unless `withoutReference`) and every per-site baseline, the
 * calibration and baselines fitted on the training + validation days of `labels`, on its test-labelled days.
 * @param series per site, [length] the network's efflux, µmol m-2 s-1
 */
export function scoreSeries(
  sites: SiteSeries[],
  labels: SplitLabels,
  series: Float32Array[],
  o: { label: string; withoutReference: boolean; minDays?: number; on: "test" | "validation" },
): Omit<ScoreOutcome, "model" | "networkCoverage" | "newSiteCoverage"> {
  const calibrated = o.withoutReference ? null : calibratedSeries(sites, labels, series);
  const models: ModelSeries[] = [
    { name: "lstm", label: o.label, series },
    // A site without history has nothing to calibrate on: the calibrated form is scored only with reference statistics.
    ...(calibrated ? [{ ...CALIBRATED_MODEL, series: calibrated.series }] : []),
    ...BASELINES.map((b) => ({ name: b.name, label: b.label, series: b.run(sites, labels).predictions })),
  ];
  const available = new Set(models.filter((m) => m.series.some((x) => x !== null)).map((m) => m.name));
  const sets = withCalibrated(defaultComparisonSets(BASELINES)).map((s) => ({
    ...s,
    models: s.models.filter((m) => available.has(m)),
  }));
  return {
    evaluation: evaluate(sites, labels, models, sets, o.minDays ?? (o.on === "validation" ? 5 : 10)),
    sites,
    labels,
    on: o.on,
    withoutReference: o.withoutReference,
    models,
    coverage: calibrated ? siteCoverage(sites, labels, calibrated.series, calibrated.intervals) : null,
  };
}

/** Per site with an interval and ≥ 10 scored days with a prediction (out-of-fold series leave warm-up days out): the share of scored days inside it; the median over those sites. */
function siteCoverage(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  series: readonly ArrayLike<number>[],
  intervals: readonly (RatioInterval | null)[],
): { median: number; sites: number; withoutInterval: number } {
  const cov: number[] = [];
  let without = 0;
  sites.forEach((s, i) => {
    const days = setDays(s, labels[i]!, SPLIT.test, []).filter((t) => Number.isFinite(series[i]![t]!));
    if (days.length < 10) return;
    const iv = intervals[i];
    if (!iv) {
      without++;
      return;
    }
    const c = intervalCoverage(
      days.map((t) => s.target[t]!),
      days.map((t) => series[i]![t]!),
      iv,
    );
    cov.push(c);
  });
  return { median: median(cov), sites: cov.length, withoutInterval: without };
}

/**
 * Labels for choosing on validation days: training days stay training, the first half of the site's validation days
 * (by observed day) stays validation, the second half is labelled test, and the real test days get no label.
 */
export function secondHalfOfValidation(s: SiteSeries, lab: Uint8Array): Uint8Array {
  const val: number[] = [];
  for (let t = 0; t < s.length; t++) if (lab[t] === SPLIT.val && !Number.isNaN(s.target[t]!)) val.push(t);
  const cut = val[val.length >> 1] ?? Number.POSITIVE_INFINITY;
  return Uint8Array.from(lab, (c, t) =>
    c === SPLIT.test ? SPLIT.none : c === SPLIT.val && t >= cut ? SPLIT.test : c,
  );
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : x === Number.NEGATIVE_INFINITY ? "−∞" : "–");

/** The outcome as Markdown: per comparison set, every model's medians over the set's sites and its good sites. */
export function scoreMarkdown(o: ScoreOutcome, labelOf: (name: string) => string): string {
  const what = o.on === "validation" ? "second half of the validation days" : "test days";
  const out = [`# ${o.model.version}: ${what} of the temporal split (${o.sites.length} sites)`, ""];
  for (const set of o.evaluation.test) {
    out.push(`## ${set.label}: ${set.sites.length} sites, ${set.days} days`, "");
    out.push(
      "| model | sites | median KGE | median NSE | r | α | β | good sites |",
      "|---|---|---|---|---|---|---|---|",
    );
    for (const m of set.models)
      out.push(
        `| ${labelOf(m.model)} | ${m.sites} | ${f2(m.medianKge)} | ${f2(m.medianNse)} | ${f2(m.medianR)} | ` +
          `${f2(m.medianAlpha)} | ${f2(m.medianBeta)} | ${m.goodSites} |`,
      );
    out.push("");
  }
  if (o.coverage)
    out.push(
      `Site-calibrated 10-90% interval: median coverage ${(100 * o.coverage.median).toFixed(0)}% of the scored days ` +
        `(nominal 80%) over ${o.coverage.sites} sites; ${o.coverage.withoutInterval} sites have no interval (fewer than 20 validation days with efflux).`,
      "",
    );
  if (o.networkCoverage)
    out.push(
      `The network's own 10-90% interval (manifest \`intervals\`, ${o.withoutReference ? "without" : "with"} reference ` +
        `statistics): median coverage ${(100 * o.networkCoverage.median).toFixed(0)}% of the scored days (nominal 80%) ` +
        `over ${o.networkCoverage.sites} sites.`,
      "",
    );
  if (o.newSiteCoverage)
    out.push(
      `The same interval without reference statistics, on new sites (out-of-fold predictions of ` +
        `${o.newSiteCoverage.run}, warm-up days left out): median coverage ` +
        `${(100 * o.newSiteCoverage.median).toFixed(0)}% of the scored days (nominal 80%) over ${o.newSiteCoverage.sites} sites.`,
      "",
    );
  return out.join("\n");
}
