/** One experiment's data, ready for training: split labels, the normaliser fitted on training days, LSTM inputs. */

import { Matrix, solve } from "ml-matrix";
import { IGBP_CODES } from "../core/features.ts";
import { fitColumnStats, fitTargetScale } from "../core/normaliser.ts";
import { lstmInputWidth, prepareSeries } from "../core/prepare.ts";
import { PRIOR_DEFAULT_Q10 } from "../core/prior.ts";
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
  /** Per site loss weight: 1/(σ + 0.1)² of its normalised training targets for the NSE loss, else 1. */
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
    if (config.train.loss !== "nse") return 1;
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
 * Site attributes derived from the observations of the training period (days labelled train with a target):
 * `flux_ref` and `flux_sd`, the mean and standard deviation of the daily efflux; `tsoil_ref`, the mean soil temperature
 * on those days; `flux_q10`, exp(10·b) of the least-squares line ln(efflux) = a + b·tsoil (clamped to 1..10);
 * `swc_ref`, `flux_swc_c1`, `flux_swc_c2`, the site's moisture response (see {@link moistureResponse}).
 * NaN where the site has no such days (e.g. held out in site cross-validation) or lacks the driver.
 */
export function derivedStatics(s: SiteSeries, labels: Uint8Array): Record<string, number> {
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  let tSum = 0;
  let tN = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  const ts = s.drivers.tsoil_mean;
  const sw = s.drivers.swc_mean;
  for (let t = 0; t < s.length; t++) {
    const y = s.target[t]!;
    if (labels[t] !== SPLIT.train || Number.isNaN(y)) continue;
    sum += y;
    sum2 += y * y;
    n++;
    const temp = ts?.[t] ?? Number.NaN;
    if (Number.isNaN(temp)) continue;
    tSum += temp;
    tN++;
    if (y > 0) {
      xs.push(temp);
      ys.push(Math.log(y));
      ws.push(sw?.[t] ?? Number.NaN);
    }
  }
  const mean = sum / n;
  const fluxRef = n > 0 ? Math.max(0, mean) : Number.NaN;
  const tsoilRef = tN > 0 ? tSum / tN : Number.NaN;
  const q10 = q10FromLogLinear(xs, ys);
  return {
    flux_ref: fluxRef,
    flux_sd: n > 1 ? Math.sqrt(Math.max(0, sum2 / n - mean * mean)) : Number.NaN,
    tsoil_ref: tsoilRef,
    flux_q10: q10,
    ...moistureResponse(xs, ys, ws, { fluxRef, q10, tsoilRef }),
  };
}

/** Bounds of the moisture-response coefficients (the catalog's ranges of flux_swc_c1 and flux_swc_c2). */
const C1_MAX = 100;
const C2_MAX = 2000;

/**
 * The site's moisture response on top of its Q10 model: the least-squares fit of the residual
 * ln(efflux) − ln(flux_ref·Q10^((T − tsoil_ref)/10)) = a + c1·d + c2·d², d = θ − swc_ref, θ the soil moisture
 * (m3 m-3), swc_ref its mean over the fitted days. A quadratic moisture term in the exponent as in the Q10×moisture
 * baseline (Moyano et al. 2013, doi:10.1016/j.soilbio.2013.01.002); a is dropped (the level is flux_ref's). A convex fit
 * (c2 > 0, a moisture minimum) is replaced by the linear one (c2 = 0); c1, c2 are clamped to the catalog ranges.
 * NaN for fewer than 20 days with efflux > 0, soil temperature and moisture, or moisture spread below 0.005 m3 m-3.
 * @param temps soil temperature (°C), @param logFlux ln(efflux), @param swc soil moisture (NaN where missing), same length
 */
export function moistureResponse(
  temps: readonly number[],
  logFlux: readonly number[],
  swc: readonly number[],
  site: { fluxRef: number; q10: number; tsoilRef: number },
): { swc_ref: number; flux_swc_c1: number; flux_swc_c2: number } {
  const none = { swc_ref: Number.NaN, flux_swc_c1: Number.NaN, flux_swc_c2: Number.NaN };
  if (!(site.fluxRef > 0) || Number.isNaN(site.tsoilRef)) return none;
  const lnQ = Math.log(Number.isNaN(site.q10) ? PRIOR_DEFAULT_Q10 : site.q10);
  const points = swc.flatMap((w, i) =>
    Number.isNaN(w)
      ? []
      : [{ w, r: logFlux[i]! - Math.log(site.fluxRef) - (lnQ * (temps[i]! - site.tsoilRef)) / 10 }],
  );
  if (points.length < 20) return none;
  const ref = points.reduce((a, p) => a + p.w, 0) / points.length;
  const sd = Math.sqrt(points.reduce((a, p) => a + (p.w - ref) ** 2, 0) / points.length);
  if (sd < 0.005) return none;
  const r = Matrix.columnVector(points.map((p) => p.r));
  const fit = (terms: number) =>
    solve(new Matrix(points.map((p) => [1, p.w - ref, (p.w - ref) ** 2].slice(0, terms))), r, true);
  // A convex response (a moisture minimum) has no physical reading and explodes when extrapolated: refit linear.
  const quadratic = fit(3);
  const beta = quadratic.get(2, 0) > 0 ? fit(2) : quadratic;
  const c1 = beta.get(1, 0);
  const c2 = beta.rows > 2 ? beta.get(2, 0) : 0;
  if (!Number.isFinite(c1) || !Number.isFinite(c2)) return none;
  const clamp = (v: number, m: number) => Math.min(m, Math.max(-m, v));
  return { swc_ref: ref, flux_swc_c1: clamp(c1, C1_MAX), flux_swc_c2: clamp(c2, C2_MAX) };
}

/** Q10 = exp(10·b) of the OLS slope of ln(efflux) on temperature; NaN for fewer than 10 points or no spread. */
export function q10FromLogLinear(temps: readonly number[], logFlux: readonly number[]): number {
  const n = temps.length;
  if (n < 10) return Number.NaN;
  const mx = temps.reduce((a, b) => a + b, 0) / n;
  const my = logFlux.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (temps[i]! - mx) ** 2;
    sxy += (temps[i]! - mx) * (logFlux[i]! - my);
  }
  if (sxx < 1e-6 * n) return Number.NaN;
  return Math.min(10, Math.max(1, Math.exp((10 * sxy) / sxx)));
}
