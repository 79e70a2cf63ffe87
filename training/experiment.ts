/** One experiment's data, ready for training: split labels, the normaliser fitted on training days, LSTM inputs. */

import { IGBP_CODES } from "../core/features.ts";
import { lstmInputWidth } from "../core/input-layout.ts";
import { fitColumnStats, fitTargetScale } from "../core/normaliser.ts";
import { prepareSeries } from "../core/prepare.ts";
import { referenceStats } from "../core/reference-stats.ts";
import type { TrainConfig } from "./config.ts";
import { dynamicMatrix, type SiteSeries, staticVector } from "./dataset.ts";
import { NORMALISER_FORMAT, type NormaliserFile } from "./run-dir.ts";
import { SPLIT, type SplitLabels } from "./splits.ts";

/** Everything the training loop and the evaluation need, derived from sites + labels + config. */
export interface Experiment {
  sites: readonly SiteSeries[];
  labels: SplitLabels;
  normaliser: NormaliserFile;
  /** Per site, row-major [length, width] LSTM inputs. */
  prepared: Float32Array[];
  width: number;
  /** Per site, target / targetScale, NaN where none. */
  targets: Float32Array[];
  /** Per site loss weight: 1/(σ + 0.1)² of its normalised training targets (the NSE loss of Kratzert et al. 2019). */
  siteWeights: number[];
}

/** Extra static columns: the IGBP one-hot block is never rescaled. */
function oneHotColumns(staticNames: readonly string[], width: number): Set<number> {
  return new Set(Array.from({ length: width - staticNames.length }, (_, k) => staticNames.length + k));
}

/**
 * Fit the normaliser on training days only: drivers on days labelled train, site attributes of sites that have
 * training days, the target scale on training targets. Validation and test days never influence it.
 */
export function fitNormaliser(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  config: TrainConfig,
): NormaliserFile {
  const dynNames = config.features.dynamic;
  const stNames = config.features.static;
  const dynRows: number[] = [];
  const stRows: number[] = [];
  const targets: number[] = [];
  let days = 0;
  let trainSites = 0;
  sites.forEach((s, i) => {
    const lab = labels[i]!;
    const dyn = dynamicMatrix(s, dynNames);
    let any = false;
    for (let t = 0; t < s.length; t++) {
      if (lab[t] !== SPLIT.train) continue;
      any = true;
      days++;
      for (let c = 0; c < dynNames.length; c++) dynRows.push(dyn[t * dynNames.length + c]!);
      targets.push(s.target[t]!);
    }
    if (any) {
      trainSites++;
      stRows.push(...staticVector(s.info, stNames, derivedStatics(s, lab)));
    }
  });
  const stWidth = stNames.length + IGBP_CODES.length;
  return {
    format: NORMALISER_FORMAT,
    dynamicColumns: [...dynNames],
    staticColumns: [...stNames, ...IGBP_CODES.map((c) => `igbp=${c}`)],
    dynamic: fitColumnStats(dynRows, dynNames.length),
    static: fitColumnStats(stRows, stWidth, oneHotColumns(stNames, stWidth)),
    targetScale: fitTargetScale(targets),
    fittedOn: { sites: trainSites, days },
  };
}

/**
 * Build the experiment: fit the normaliser on training days, then prepare every site's LSTM input.
 * @param normaliser pass a saved one to reproduce a run (evaluation, resume); omit to fit it
 */
export function buildExperiment(
  sites: readonly SiteSeries[],
  labels: SplitLabels,
  config: TrainConfig,
  normaliser: NormaliserFile = fitNormaliser(sites, labels, config),
): Experiment {
  const dynNames = config.features.dynamic;
  const stNames = config.features.static;
  const staticWidthN = normaliser.static.mean.length;
  const width = lstmInputWidth(dynNames.length, staticWidthN);
  const prepared = sites.map((s, i) =>
    prepareSeries(
      dynamicMatrix(s, dynNames),
      dynNames.length,
      staticVector(s.info, stNames, derivedStatics(s, labels[i]!)),
      normaliser.dynamic,
      normaliser.static,
    ),
  );
  const targets = sites.map((s) => s.target.map((v) => v / normaliser.targetScale));
  const siteWeights = sites.map((s, i) => {
    const lab = labels[i]!;
    const y = targets[i]!;
    let n = 0;
    let sum = 0;
    let sum2 = 0;
    for (let t = 0; t < s.length; t++) {
      if (lab[t] !== SPLIT.train || Number.isNaN(y[t]!)) continue;
      n++;
      sum += y[t]!;
      sum2 += y[t]! * y[t]!;
    }
    const sd = n > 1 ? Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)) : 0;
    return 1 / (sd + 0.1) ** 2;
  });
  return { sites, labels, normaliser, prepared, width, targets, siteWeights };
}

/**
 * The site's reference statistics (core/reference-stats.ts) from the observations of the training period: days
 * labelled train with a target. NaN where the site has no such days (e.g. held out in site cross-validation) or lacks
 * the driver.
 */
export function derivedStatics(s: SiteSeries, labels: Uint8Array): Record<string, number> {
  const nan = new Float32Array(s.length).fill(Number.NaN);
  const flux = s.target.map((y, t) => (labels[t] === SPLIT.train ? y : Number.NaN));
  return { ...referenceStats(flux, s.drivers.tsoil_mean ?? nan, s.drivers.swc_mean ?? nan) };
}
